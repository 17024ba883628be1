package dev.canopy;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A named, reentrant mutex with the semantics of {@link ReentrantLock}, that knows who holds it and who waits.
 * Created by {@link Context#mutex(String)}; switch from {@code ReentrantLock} by changing one line.
 * <pre>{@code
 * NamedLock out = session.mutex("session-output-lock");
 * try (var held = out.acquire()) { ... }
 * }</pre>
 * A waiter whose context is cancelled stops waiting with a {@link java.util.concurrent.CancellationException}.
 */
public final class NamedLock extends LockCore implements Lock {
    private final MutexSync inner;
    private final ExclusiveSide side;

    NamedLock(Context owner, String name, boolean fair) {
        super(owner, name, LockKind.MUTEX, fair);
        this.inner = new MutexSync(fair);
        this.side = new ExclusiveSide(this, inner, inner, LockMode.EXCLUSIVE, "named lock \"" + name + "\"") {
            @Override
            int holdCount() {
                return inner.holdCount();
            }

            @Override
            boolean heldByCurrentThread() {
                return inner.isHeldExclusively();
            }

            @Override
            boolean queued() {
                return inner.hasQueuedThreads();
            }
        };
        tree.lockRegistry().register(this);
    }

    @Override
    public void lock() {
        side.lock();
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        side.lockInterruptibly();
    }

    @Override
    public boolean tryLock() {
        return side.tryLock();
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return side.tryLock(time, unit);
    }

    /**
     * @throws IllegalMonitorStateException if the current thread does not hold the lock (as {@code ReentrantLock})
     */
    @Override
    public void unlock() {
        side.unlock();
    }

    /** Locks and returns a guard whose {@code close()} unlocks: {@code try (var held = lock.acquire()) { }}. */
    public Held acquire() {
        side.lock();
        return side.guard();
    }

    /** A condition bound to this lock; waiting on it releases the lock, which status shows as not held. */
    @Override
    public Condition newCondition() {
        return side.newCondition();
    }

    public boolean isHeldByCurrentThread() {
        return inner.isHeldExclusively();
    }

    public int getHoldCount() {
        return inner.holdCount();
    }

    public boolean isLocked() {
        return inner.isLocked();
    }

    public boolean hasQueuedThreads() {
        return inner.hasQueuedThreads();
    }

    public boolean hasQueuedThread(Thread thread) {
        return inner.isQueued(thread);
    }

    public int getQueueLength() {
        return inner.getQueueLength();
    }

    @Override
    java.util.Collection<Thread> queuedThreads() {
        return inner.getQueuedThreads();
    }

    @Override
    void collectStatistics(List<HoldStatistics> out) {
        out.add(side.slot());
    }

    @Override
    void collectHolds(List<Hold> out) {
        Hold h = side.holder();
        if (h != null) {
            out.add(h);
        }
    }
}
