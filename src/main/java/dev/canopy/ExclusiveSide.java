package dev.canopy;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * An exclusive side — the mutex, or the write side of a read/write lock — over a reentrant JDK lock: one holder
 * record whose count follows reentrancy, released outside the critical section, and conditions that give the lock up.
 */
abstract class ExclusiveSide extends LockSide {
    private final LockCore core;
    private final Lock jdk;
    private final LockMode mode;
    /** How messages name this side, e.g. {@code named lock "out"}. */
    private final String label;
    /** The current holder; written only by the thread that holds the lock. */
    private volatile Hold holder;

    ExclusiveSide(LockCore core, Lock jdk, LockMode mode, String label) {
        super(core, mode);
        this.core = core;
        this.jdk = jdk;
        this.mode = mode;
        this.label = label;
    }

    abstract int holdCount();

    abstract boolean heldByCurrentThread();

    abstract boolean queued();

    final Hold holder() {
        return holder;
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
    final boolean attempt(long timeoutNanos) throws InterruptedException {
        return LockSide.attempt(jdk, timeoutNanos);
    }

    @Override
    final void onAcquired(long now) {
        int count = holdCount();
        if (count == 1) {
            Context context = core.acquiringContext();
            Hold h = new Hold(context, Thread.currentThread(), now, mode, 1);
            holder = h;
            core.acquired(context, now, h);
        } else {
            Hold h = holder;
            if (h != null) {
                h.set(count);
            }
        }
    }

    /**
     * @throws IllegalMonitorStateException if the current thread does not hold it (as the JDK lock does)
     */
    @Override
    public final void unlock() {
        if (!heldByCurrentThread()) {
            throw new IllegalMonitorStateException(label + " unlocked by thread " + Thread.currentThread().getName()
                    + ", which does not hold it (" + core.describeHolders() + ")");
        }
        int count = holdCount();
        Hold h = holder;
        if (count == 1) {
            holder = null;
        } else if (h != null) {
            h.set(count - 1);
        }
        jdk.unlock();
        if (count == 1 && h != null) {
            core.released(h); // statistics and the clock read come after the critical section
        }
    }

    /** A condition bound to this side; waiting on it releases the lock, which status shows as not held. */
    @Override
    public final Condition newCondition() {
        return new NamedCondition(jdk.newCondition(), new NamedCondition.Owner() {
            @Override
            public void beforeWait() {
                if (!heldByCurrentThread()) {
                    throw new IllegalMonitorStateException("condition of " + label + " used by thread "
                            + Thread.currentThread().getName() + ", which does not hold the lock");
                }
                Hold h = holder;
                holder = null;
                if (h != null) {
                    core.released(h);
                }
            }

            @Override
            public void afterWait() {
                // a wake-up is not a new acquisition: only the holder record comes back
                Context context = core.acquiringContext();
                long now = core.now();
                Hold h = new Hold(context, Thread.currentThread(), now, mode, holdCount());
                holder = h;
                core.holdStarted(context, h);
                context.touchAt(now);
            }
        });
    }
}
