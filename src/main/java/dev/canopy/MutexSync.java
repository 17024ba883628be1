package dev.canopy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * The reentrant mutex under a {@link NamedLock}: {@link java.util.concurrent.locks.ReentrantLock}'s semantics
 * (fair or not, reentrant, interruptible, timed, conditions) on an {@link HolderSlot}, so the holder record lives
 * beside the lock word. The state is the hold count.
 */
final class MutexSync extends HolderSlot implements Lock {
    private static final long serialVersionUID = 1L;
    private final boolean fair;

    MutexSync(boolean fair) {
        super(false); // the hold count is the lock state
        this.fair = fair;
    }

    @Override
    Thread holdingThread() {
        return getExclusiveOwnerThread();
    }

    @Override
    int lockedCount() {
        return getState();
    }

    @Override
    protected boolean tryAcquire(int acquires) {
        Thread current = Thread.currentThread();
        int c = getState();
        if (c == 0) {
            if ((!fair || !hasQueuedPredecessors()) && compareAndSetState(0, acquires)) {
                setExclusiveOwnerThread(current);
                return true;
            }
        } else if (getExclusiveOwnerThread() == current) {
            return reenter(c, acquires);
        }
        return false;
    }

    /** A barging try, as {@code ReentrantLock.tryLock()}: even a fair lock lets it through when free. */
    private boolean tryBarge() {
        Thread current = Thread.currentThread();
        int c = getState();
        if (c == 0) {
            if (compareAndSetState(0, 1)) {
                setExclusiveOwnerThread(current);
                return true;
            }
        } else if (getExclusiveOwnerThread() == current) {
            return reenter(c, 1);
        }
        return false;
    }

    private boolean reenter(int c, int acquires) {
        int next = c + acquires;
        if (next < 0) {
            throw new Error("maximum lock count exceeded");
        }
        setState(next);
        return true;
    }

    @Override
    protected boolean tryRelease(int releases) {
        if (getExclusiveOwnerThread() != Thread.currentThread()) {
            throw new IllegalMonitorStateException();
        }
        int c = getState() - releases;
        boolean free = c == 0;
        if (free) {
            setExclusiveOwnerThread(null);
        }
        setState(c);
        return free;
    }

    @Override
    protected boolean isHeldExclusively() {
        return getExclusiveOwnerThread() == Thread.currentThread();
    }

    int holdCount() {
        return isHeldExclusively() ? getState() : 0;
    }

    boolean isLocked() {
        return getState() != 0;
    }

    @Override
    public void lock() {
        if (!tryBargeFirst()) {
            acquire(1);
        }
    }

    /** The first try of {@link #lock()}: a non-fair lock barges, a fair one only re-enters or takes a free lock in turn. */
    private boolean tryBargeFirst() {
        return fair ? tryAcquire(1) : tryBarge();
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        acquireInterruptibly(1);
    }

    @Override
    public boolean tryLock() {
        return tryBarge();
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return tryAcquireNanos(1, unit.toNanos(time));
    }

    @Override
    public void unlock() {
        release(1);
    }

    @Override
    public Condition newCondition() {
        return new ConditionObject();
    }
}
