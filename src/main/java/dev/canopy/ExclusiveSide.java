package dev.canopy;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * An exclusive side — the mutex, or the write side of a read/write lock — over a reentrant lock, with its holder in
 * a reused {@link HolderSlot}. Holds are timed with the tree's coarse clock ({@link CanopyClock#coarseNanoTime()}):
 * a precise clock read would cost more than the lock itself. Listeners hear of a hold's start inside the critical
 * section (that is when it starts) and of its end after the lock is released, so waiters do not wait for them.
 */
abstract class ExclusiveSide extends LockSide {
    private final LockCore core;
    private final Lock jdk;
    private final HolderSlot slot;
    private final LockMode mode;
    /** How messages name this side, e.g. {@code named lock "out"}. */
    private final String label;

    ExclusiveSide(LockCore core, Lock jdk, HolderSlot slot, LockMode mode, String label) {
        super(core, mode);
        this.core = core;
        this.jdk = jdk;
        this.slot = slot;
        this.mode = mode;
        this.label = label;
    }

    abstract int holdCount();

    abstract boolean heldByCurrentThread();

    abstract boolean queued();

    /** A consistent copy of the current holder, or null when nobody holds this side. */
    final Hold holder() {
        return slot.holder(mode);
    }

    final HolderSlot slot() {
        return slot;
    }

    @Override
    final boolean tryFast() {
        // a fair lock must not barge past queued threads, but a reentrant acquisition never waits
        return !core.fair || heldByCurrentThread() || !queued() ? jdk.tryLock() : false;
    }

    @Override
    final boolean tryNow() {
        return jdk.tryLock();
    }

    @Override
    public final boolean attempt(long timeoutNanos) throws InterruptedException {
        return LockSide.attempt(jdk, timeoutNanos);
    }

    @Override
    final void onAcquired(long now, Context context) {
        int count = holdCount();
        if (count == 1) {
            slot.fill(context, now, true);
            core.acquiredBy(context, now);
            core.slotHoldStarted(slot, context, mode);
        } else {
            slot.count(count);
        }
    }

    /** Empties the slot while the lock is still held; returns what {@link #announceEnd} needs, or null. */
    private Context endHold() {
        return slot.empty(core.coarseNow());
    }

    /**
     * Takes the listeners' part of a hold they heard of out of the slot. Called only for such a hold: otherwise the
     * fields are null already, and storing null again would be two more stores in the critical section that waiters
     * queue behind.
     */
    private Object takeAttachment() {
        Object attachment = slot.holdAttachment;
        slot.holdListeners = null;
        slot.holdAttachment = null;
        return attachment;
    }

    /** Tells the listeners the hold by {@code context} ended. */
    private void announceEnd(Context context, ListenerChain lc, Object attachment) {
        if (lc != null) {
            lc.lockHoldEnded(core, context, mode, attachment);
        }
    }

    /**
     * @throws IllegalMonitorStateException if the current thread does not hold it (as the JDK lock does)
     */
    @Override
    public final void unlock() {
        if (!heldByCurrentThread()) {
            throw new IllegalMonitorStateException(label + " unlocked by thread " + LockRegistry.describe(Thread.currentThread())
                    + ", which does not hold it (" + core.describeHolders() + ")");
        }
        int count = holdCount();
        if (count != 1) {
            slot.count(count - 1);
            jdk.unlock();
            return;
        }
        ListenerChain lc = slot.holdListeners;
        Object attachment = lc == null ? null : takeAttachment();
        Context context = endHold();
        jdk.unlock();
        announceEnd(context, lc, attachment);
    }

    /** A condition bound to this side; waiting on it releases the lock, which status shows as not held. */
    @Override
    public final Condition newCondition() {
        return new NamedCondition(jdk.newCondition(), new NamedCondition.Owner() {
            @Override
            public void beforeWait() {
                if (!heldByCurrentThread()) {
                    throw new IllegalMonitorStateException("condition of " + label + " used by thread "
                            + LockRegistry.describe(Thread.currentThread()) + ", which does not hold the lock");
                }
                ListenerChain lc = slot.holdListeners;
                Object attachment = lc == null ? null : takeAttachment();
                // still inside the critical section: the condition's await releases the lock after this
                announceEnd(endHold(), lc, attachment);
            }

            @Override
            public void afterWait() {
                // a wake-up is not a new acquisition: only the holder record comes back
                Context context = core.acquiringContext();
                long now = core.coarseNow();
                slot.fill(context, now, false);
                slot.count(holdCount());
                core.slotHoldStarted(slot, context, mode);
                context.touchAt(now);
            }
        });
    }
}
