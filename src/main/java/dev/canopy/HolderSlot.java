package dev.canopy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Who holds an exclusive side (a mutex, a write lock), or one thread's read holds of a read/write lock, and the hold
 * statistics: one reused slot instead of an object per acquisition.
 *
 * <p>Only the thread holding the lock writes the slot, so plain stores suffice and the lock's own acquire/release
 * order publishes them to the next holder. The statistics are plain fields for the same reason: the lock serialises
 * their writers.
 *
 * <p>Readers from other threads (status, deadlock detection) must never mix two holders. A hold's start counts
 * itself in {@code holds}, writes its start time, and publishes its context last; its end clears the context before
 * anything else. A reader reads the number and the context, then the rest, then both again: the same number and the
 * same context before and after mean one hold was read, as the next hold could only be seen after the clear and
 * after its new number. That is three stores per start and two per end (one of them the hold time the statistics
 * need anyway), where a separate stamp or a sequence number odd while the slot is rewritten would take more: every
 * store here lengthens the critical section a contending thread queues behind. The holding thread, and for a mutex
 * the hold count, are read from where the lock keeps them anyway ({@link #holdingThread()}, {@link #lockedCount()}).
 *
 * <p>It is a synchronizer so that a mutex can be its own lock ({@link MutexSync}): the holder is then written in the
 * cache line of the lock word that a contending thread fetches anyway, instead of a second line that would move
 * between cores on every hand-over. The write side of a read/write lock and each reading thread's slot use only the
 * slot part; for a reading thread the rule above holds as it is the only writer of its own slot.
 */
abstract class HolderSlot extends HoldFields implements HoldStatistics {
    private static final long serialVersionUID = 1L;
    private static final VarHandle HOLDS;
    private static final VarHandle CONTEXT;
    private static final VarHandle SINCE;
    private static final VarHandle COUNT;
    private static final VarHandle REWAKES;
    private static final VarHandle TOTAL_HOLD;
    private static final VarHandle MAX_HOLD;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HOLDS = l.findVarHandle(HoldFields.class, "holds", long.class);
            CONTEXT = l.findVarHandle(HoldFields.class, "holderContext", Context.class);
            SINCE = l.findVarHandle(HoldFields.class, "holderSince", long.class);
            COUNT = l.findVarHandle(HolderSlot.class, "holderCount", int.class);
            REWAKES = l.findVarHandle(HolderSlot.class, "rewakes", long.class);
            TOTAL_HOLD = l.findVarHandle(HoldFields.class, "totalHoldNanos", long.class);
            MAX_HOLD = l.findVarHandle(HolderSlot.class, "maxHoldNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Whether the slot keeps the hold count itself; a mutex leaves it in its lock state ({@link #lockedCount()}).
     */
    private final boolean keepsCount;
    /** The hold count, in a slot that keeps it. */
    private transient int holderCount;
    /** The listeners told of the current hold and what they attached; read only by the holder. */
    transient ListenerChain holdListeners;
    transient Object holdAttachment;

    /** Holds that were wake-ups from a condition wait, not acquisitions: {@code holds} counts them too. */
    private transient long rewakes;
    private transient long maxHoldNanos;

    HolderSlot(boolean keepsCount) {
        this.keepsCount = keepsCount;
    }

    /**
     * The thread of the hold now recorded, as another thread sees it. It is read between the two readings of the
     * context, so it must be set before a hold's context is published and cleared only after the context was.
     */
    abstract Thread holdingThread();

    /** The hold count kept in the lock state, for a slot that does not keep it. */
    int lockedCount() {
        return 1;
    }

    /** Records the start of a first hold by the current thread; {@code counted} when it is a new acquisition. */
    final void fill(Context context, long now, boolean counted) {
        if (!counted) {
            REWAKES.setOpaque(this, rewakes + 1);
        }
        HOLDS.setOpaque(this, holds + 1);
        SINCE.setOpaque(this, now);
        if (keepsCount) {
            COUNT.setOpaque(this, 1);
        }
        CONTEXT.setRelease(this, context); // last: a reader that sees it sees the hold's number and start too
    }

    /** A reentrant acquisition or release changed the hold count. */
    final void count(int holds) {
        if (keepsCount) {
            COUNT.setOpaque(this, holds);
        }
    }

    /** Empties the slot and adds the hold to the statistics; returns the context that held it. */
    final Context empty(long now) {
        Context context = holderContext;
        long held = Math.max(0, now - holderSince);
        // first, and also so that an ended context does not stay reachable through a lock it once held
        CONTEXT.setOpaque(this, null);
        VarHandle.storeStoreFence(); // a reader must see the clear before anything of the next hold
        if (keepsCount) {
            COUNT.setOpaque(this, 0);
        }
        TOTAL_HOLD.setOpaque(this, totalHoldNanos + held);
        if (held > maxHoldNanos) {
            MAX_HOLD.setOpaque(this, held);
        }
        return context;
    }

    /** The hold count as the holding thread itself wrote it: only the slot's writer may rely on this. */
    final int ownCount() {
        return holderCount;
    }

    /** Whether the slot is empty, as another thread sees it now. */
    final boolean isEmpty() {
        return CONTEXT.getOpaque(this) == null;
    }

    /** A consistent copy of the current holder, or null when nobody holds it. */
    final Hold holder(LockMode mode) {
        for (int spins = 0; ; spins++) {
            long number = (long) HOLDS.getAcquire(this);
            Context context = (Context) CONTEXT.getAcquire(this);
            if (context == null) {
                return null;
            }
            long since = (long) SINCE.getOpaque(this);
            Thread thread = holdingThread();
            int count = keepsCount ? (int) COUNT.getOpaque(this) : lockedCount();
            VarHandle.loadLoadFence();
            if (CONTEXT.getAcquire(this) == context && (long) HOLDS.getOpaque(this) == number) {
                return thread == null ? null : new Hold(context, thread, since, mode, Math.max(1, count));
            }
            if (spins > 100) {
                Thread.yield(); // the holder was descheduled mid-rewrite: let it finish
            } else {
                Thread.onSpinWait();
            }
        }
    }

    @Override
    public final long acquisitions() {
        long wakeUps = (long) REWAKES.getAcquire(this); // first: a wake-up is counted here before it is in holds
        return (long) HOLDS.getOpaque(this) - wakeUps;
    }

    @Override
    public final long totalHoldNanos() {
        return (long) TOTAL_HOLD.getOpaque(this);
    }

    @Override
    public final long maxHoldNanos() {
        return (long) MAX_HOLD.getOpaque(this);
    }
}
