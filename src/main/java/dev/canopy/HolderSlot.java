package dev.canopy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * Who holds an exclusive side (a mutex, a write lock), or one thread's read holds of a read/write lock, and the hold
 * statistics: one reused slot instead of an object per acquisition.
 *
 * <p>Only the thread holding the lock writes the slot, so plain stores suffice and the lock's own acquire/release
 * order publishes them to the next holder. Readers from other threads (status, deadlock detection) read under a
 * sequence number that is odd while the slot is rewritten, so they never mix two holders. The statistics are plain
 * fields for the same reason: the lock serialises their writers.
 *
 * <p>It is a synchronizer so that a mutex can be its own lock ({@link MutexSync}): the holder is then written in the
 * cache line of the lock word that a contending thread fetches anyway, instead of a second line that would move
 * between cores on every hand-over. The write side of a read/write lock and each reading thread's slot use only the
 * slot part; for a reading thread the rule above holds as it is the only writer of its own slot.
 */
class HolderSlot extends AbstractQueuedSynchronizer implements HoldStatistics {
    private static final long serialVersionUID = 1L;
    private static final VarHandle VERSION;
    private static final VarHandle SINCE;
    private static final VarHandle COUNT;
    private static final VarHandle ACQUISITIONS;
    private static final VarHandle TOTAL_HOLD;
    private static final VarHandle MAX_HOLD;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            VERSION = l.findVarHandle(HolderSlot.class, "version", int.class);
            SINCE = l.findVarHandle(HolderSlot.class, "holderSince", long.class);
            COUNT = l.findVarHandle(HolderSlot.class, "holderCount", int.class);
            ACQUISITIONS = l.findVarHandle(HolderSlot.class, "acquisitions", long.class);
            TOTAL_HOLD = l.findVarHandle(HolderSlot.class, "totalHoldNanos", long.class);
            MAX_HOLD = l.findVarHandle(HolderSlot.class, "maxHoldNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private transient int version;
    private transient Context holderContext;
    private transient Thread holderThread;
    private transient long holderSince;
    private transient int holderCount;
    /** The listeners told of the current hold and what they attached; read only by the holder. */
    transient ListenerChain holdListeners;
    transient Object holdAttachment;

    private transient long acquisitions;
    private transient long totalHoldNanos;
    private transient long maxHoldNanos;

    /** Records the start of a first hold by the current thread; {@code counted} when it is a new acquisition. */
    final void fill(Context context, long now, boolean counted) {
        int v = version;
        VERSION.setOpaque(this, v + 1);
        VarHandle.storeStoreFence();
        holderContext = context;
        holderThread = Thread.currentThread();
        SINCE.setOpaque(this, now);
        COUNT.setOpaque(this, 1);
        VERSION.setRelease(this, v + 2);
        if (counted) {
            ACQUISITIONS.setOpaque(this, acquisitions + 1);
        }
    }

    /** A reentrant acquisition or release changed the hold count. */
    final void count(int holds) {
        COUNT.setOpaque(this, holds);
    }

    /** Empties the slot and adds the hold to the statistics; returns the context that held it. */
    final Context empty(long now) {
        Context context = holderContext;
        long held = Math.max(0, now - holderSince);
        int v = version;
        VERSION.setOpaque(this, v + 1);
        VarHandle.storeStoreFence();
        holderContext = null;
        holderThread = null;
        COUNT.setOpaque(this, 0);
        VERSION.setRelease(this, v + 2);
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
        return (int) COUNT.getOpaque(this) == 0;
    }

    /** A consistent copy of the current holder, or null when nobody holds it. */
    final Hold holder(LockMode mode) {
        for (int spins = 0; ; spins++) {
            int v = (int) VERSION.getAcquire(this);
            if ((v & 1) == 0) {
                Thread thread = holderThread;
                Context context = holderContext;
                long since = (long) SINCE.getOpaque(this);
                int count = (int) COUNT.getOpaque(this);
                VarHandle.loadLoadFence();
                if ((int) VERSION.getOpaque(this) == v) {
                    return thread == null ? null : new Hold(context, thread, since, mode, Math.max(1, count));
                }
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
