package dev.canopy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/**
 * The acquisition skeleton shared by the mutex and both sides of a read/write lock: a fast try, then the tracked
 * slow path of {@link LockCore#awaitAcquire}, then the side's own holder bookkeeping. Each method keeps the
 * contract of the JDK method it replaces.
 */
abstract class LockSide implements Lock, LockCore.Attempt {
    private final LockCore core;
    private final LockMode mode;

    LockSide(LockCore core, LockMode mode) {
        this.core = core;
        this.mode = mode;
    }

    /** A try that respects fairness: it does not barge past queued threads unless reentrant. */
    abstract boolean tryFast();

    /** The JDK's plain {@code tryLock()}, which barges even on fair locks. */
    abstract boolean tryNow();

    /**
     * One blocking attempt for at most {@code timeoutNanos} (forever when negative). The side is itself the
     * {@link LockCore.Attempt} its slow path is given, so a wait allocates no method reference.
     */
    @Override
    public abstract boolean attempt(long timeoutNanos) throws InterruptedException;

    /**
     * Holder bookkeeping right after the JDK lock was acquired, with the acquiring context and a clock reading
     * taken before the attempt (the clock after a wait): whatever can be read before the lock is, as everything
     * here lengthens the critical section that waiters queue behind.
     */
    abstract void onAcquired(long now, Context context);

    @Override
    public final void lock() {
        long now = core.coarseNow();
        Context context = core.acquiringContext();
        if (!tryFast()) {
            try {
                core.awaitAcquire(context, mode, 1, false, -1, this);
            } catch (InterruptedException e) {
                throw new IllegalStateException("uninterruptible wait was interrupted", e);
            }
            now = core.coarseNow();
        }
        onAcquired(now, context);
    }

    @Override
    public final void lockInterruptibly() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long now = core.coarseNow();
        Context context = core.acquiringContext();
        if (!tryFast()) {
            core.awaitAcquire(context, mode, 1, true, -1, this);
            now = core.coarseNow();
        }
        onAcquired(now, context);
    }

    @Override
    public final boolean tryLock() {
        long now = core.coarseNow();
        Context context = core.acquiringContext();
        if (tryNow()) {
            onAcquired(now, context);
            return true;
        }
        return false;
    }

    @Override
    public final boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long now = core.coarseNow();
        Context context = core.acquiringContext();
        if (tryFast()) {
            onAcquired(now, context);
            return true;
        }
        if (core.awaitAcquire(context, mode, 1, true, Math.max(0, unit.toNanos(time)), this)) {
            onAcquired(core.coarseNow(), context);
            return true;
        }
        return false;
    }

    /** One blocking attempt on a JDK lock, for at most {@code timeoutNanos} (forever when negative). */
    static boolean attempt(Lock lock, long timeoutNanos) throws InterruptedException {
        if (timeoutNanos < 0) {
            lock.lockInterruptibly();
            return true;
        }
        return lock.tryLock(timeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** A guard that unlocks this side once. */
    final Held guard() {
        return new Held() {
            private boolean closed;

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    unlock();
                }
            }
        };
    }
}
