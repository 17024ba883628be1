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
 * <p>Readers from other threads (status, deadlock detection) must never mix two holders. A hold's start writes the
 * holder, then a {@code stamp} no other hold of the slot ever had (the acquisition's number; a wake-up from a
 * condition wait, which is no acquisition, takes the next negative number); its end zeroes the stamp before it
 * clears anything. A reader that finds the same non-zero stamp before and after reading the holder read one hold:
 * a store of the next hold could only be seen after the zero. That is one store per start and one per end beyond
 * the holder itself, where a sequence number odd while the slot is rewritten would take four: every store here
 * lengthens the critical section a contending thread queues behind. The holding thread, and for a mutex the hold
 * count, are read from where the lock keeps them anyway ({@link #holdingThread()}, {@link #lockedCount()}).
 *
 * <p>It is a synchronizer so that a mutex can be its own lock ({@link MutexSync}): the holder is then written in the
 * cache line of the lock word that a contending thread fetches anyway, instead of a second line that would move
 * between cores on every hand-over. The write side of a read/write lock and each reading thread's slot use only the
 * slot part; for a reading thread the rule above holds as it is the only writer of its own slot.
 */
abstract class HolderSlot extends HoldFields implements HoldStatistics {
    private static final long serialVersionUID = 1L;
    private static final VarHandle STAMP;
    private static final VarHandle SINCE;
    private static final VarHandle COUNT;
    private static final VarHandle ACQUISITIONS;
    private static final VarHandle REWAKES;
    private static final VarHandle TOTAL_HOLD;
    private static final VarHandle MAX_HOLD;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STAMP = l.findVarHandle(HoldFields.class, "stamp", long.class);
            SINCE = l.findVarHandle(HoldFields.class, "holderSince", long.class);
            COUNT = l.findVarHandle(HolderSlot.class, "holderCount", int.class);
            ACQUISITIONS = l.findVarHandle(HoldFields.class, "acquisitions", long.class);
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

    /** Holds that were wake-ups from a condition wait, not acquisitions: they stamp the slot with -rewakes. */
    private transient long rewakes;
    private transient long maxHoldNanos;

    HolderSlot(boolean keepsCount) {
        this.keepsCount = keepsCount;
    }

    /**
     * The thread of the hold now recorded, as another thread sees it. It is read between the stamp's two readings,
     * so it must be set before a hold's stamp and cleared only after the stamp was zeroed.
     */
    abstract Thread holdingThread();

    /** The hold count kept in the lock state, for a slot that does not keep it. */
    int lockedCount() {
        return 1;
    }

    /** Records the start of a first hold by the current thread; {@code counted} when it is a new acquisition. */
    final void fill(Context context, long now, boolean counted) {
        long s;
        if (counted) {
            s = acquisitions + 1;
            ACQUISITIONS.setOpaque(this, s);
        } else {
            long r = rewakes + 1;
            REWAKES.setOpaque(this, r);
            s = -r;
        }
        holderContext = context;
        SINCE.setOpaque(this, now);
        if (keepsCount) {
            COUNT.setOpaque(this, 1);
        }
        STAMP.setRelease(this, s);
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
        STAMP.setOpaque(this, 0L);
        VarHandle.storeStoreFence(); // a reader must see the zero before anything of the next hold
        holderContext = null; // an ended context must not stay reachable through a lock it once held
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
        return (long) STAMP.getOpaque(this) == 0;
    }

    /** A consistent copy of the current holder, or null when nobody holds it. */
    final Hold holder(LockMode mode) {
        for (int spins = 0; ; spins++) {
            long s = (long) STAMP.getAcquire(this);
            if (s == 0) {
                return null;
            }
            Context context = holderContext;
            long since = (long) SINCE.getOpaque(this);
            Thread thread = holdingThread();
            int count = keepsCount ? (int) COUNT.getOpaque(this) : lockedCount();
            VarHandle.loadLoadFence();
            if ((long) STAMP.getOpaque(this) == s) {
                return thread == null || context == null ? null
                        : new Hold(context, thread, since, mode, Math.max(1, count));
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
        return (long) ACQUISITIONS.getOpaque(this);
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
