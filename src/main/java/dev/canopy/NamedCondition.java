package dev.canopy;

import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A condition of a named lock: waiting on it gives the lock up, so the holder bookkeeping is released before the
 * wait and restored after it (status never shows a waiting thread as the holder).
 */
final class NamedCondition implements Condition {
    /** The lock side a condition belongs to. */
    interface Owner {
        /** Checks the caller holds the lock and drops its holder record. */
        void beforeWait();

        /** Records the caller as holder again. */
        void afterWait();
    }

    private final Condition condition;
    private final Owner owner;

    NamedCondition(Condition condition, Owner owner) {
        this.condition = condition;
        this.owner = owner;
    }

    @Override
    public void await() throws InterruptedException {
        owner.beforeWait();
        try {
            condition.await();
        } finally {
            owner.afterWait();
        }
    }

    @Override
    public void awaitUninterruptibly() {
        owner.beforeWait();
        try {
            condition.awaitUninterruptibly();
        } finally {
            owner.afterWait();
        }
    }

    @Override
    public long awaitNanos(long nanosTimeout) throws InterruptedException {
        owner.beforeWait();
        try {
            return condition.awaitNanos(nanosTimeout);
        } finally {
            owner.afterWait();
        }
    }

    @Override
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
        owner.beforeWait();
        try {
            return condition.await(time, unit);
        } finally {
            owner.afterWait();
        }
    }

    @Override
    public boolean awaitUntil(Date deadline) throws InterruptedException {
        owner.beforeWait();
        try {
            return condition.awaitUntil(deadline);
        } finally {
            owner.afterWait();
        }
    }

    @Override
    public void signal() {
        condition.signal();
    }

    @Override
    public void signalAll() {
        condition.signalAll();
    }
}
