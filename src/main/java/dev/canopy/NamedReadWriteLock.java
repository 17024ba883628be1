package dev.canopy;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A named read/write lock with the semantics of {@link ReentrantReadWriteLock} (reentrancy, fairness, downgrading
 * from write to read) that knows its readers, its writer and who waits. Created by
 * {@link Context#readWriteLock(String)}.
 * <pre>{@code
 * NamedReadWriteLock users = ctx.readWriteLock("user-table");
 * try (var read = users.acquireRead()) { ... }
 * users.writeLock().lock(); try { ... } finally { users.writeLock().unlock(); }
 * }</pre>
 */
public final class NamedReadWriteLock extends LockCore implements ReadWriteLock {
    private final ReentrantReadWriteLock inner;
    private final ConcurrentHashMap<Thread, Hold> readers = new ConcurrentHashMap<>();
    private final ReadSide readSide;
    private final WriteSide writeSide;

    NamedReadWriteLock(Context owner, String name, boolean fair) {
        super(owner, name, LockKind.READ_WRITE, fair);
        this.inner = new ReentrantReadWriteLock(fair);
        this.readSide = new ReadSide();
        this.writeSide = new WriteSide();
        tree.lockRegistry().register(this);
    }

    @Override
    public Lock readLock() {
        return readSide;
    }

    @Override
    public Lock writeLock() {
        return writeSide;
    }

    /** Takes the read lock and returns a guard that releases it. */
    public Held acquireRead() {
        readSide.lock();
        return readSide.guard();
    }

    /** Takes the write lock and returns a guard that releases it. */
    public Held acquireWrite() {
        writeSide.lock();
        return writeSide.guard();
    }

    public int getReadLockCount() {
        return inner.getReadLockCount();
    }

    public boolean isWriteLocked() {
        return inner.isWriteLocked();
    }

    public boolean isWriteLockedByCurrentThread() {
        return inner.isWriteLockedByCurrentThread();
    }

    public int getReadHoldCount() {
        return inner.getReadHoldCount();
    }

    public int getWriteHoldCount() {
        return inner.getWriteHoldCount();
    }

    public boolean hasQueuedThreads() {
        return inner.hasQueuedThreads();
    }

    public boolean hasQueuedThread(Thread thread) {
        return inner.hasQueuedThread(thread);
    }

    public int getQueueLength() {
        return inner.getQueueLength();
    }

    @Override
    ExclusiveSide exclusiveSide() {
        return writeSide;
    }

    @Override
    void collectHolds(List<Hold> out) {
        Hold w = writeSide.holder();
        if (w != null) {
            out.add(w);
        }
        out.addAll(readers.values());
    }

    private final class ReadSide extends LockSide {
        private final ReentrantReadWriteLock.ReadLock lock = inner.readLock();

        ReadSide() {
            super(NamedReadWriteLock.this, LockMode.READ);
        }

        @Override
        boolean tryFast() {
            // reentrant reads and downgrades never wait, even on a fair lock with queued threads
            boolean reentrant = inner.getReadHoldCount() > 0 || inner.isWriteLockedByCurrentThread();
            return !fair || reentrant || !inner.hasQueuedThreads() ? lock.tryLock() : false;
        }

        @Override
        boolean tryNow() {
            return lock.tryLock();
        }

        @Override
        boolean attempt(long timeoutNanos) throws InterruptedException {
            return LockSide.attempt(lock, timeoutNanos);
        }

        @Override
        void onAcquired(long now, Context context) {
            Thread t = Thread.currentThread();
            if (inner.getReadHoldCount() == 1) {
                Hold h = new Hold(context, t, now, LockMode.READ, 1);
                readers.put(t, h);
                acquired(context, now, h);
            } else {
                Hold h = readers.get(t);
                if (h != null) {
                    h.incrementAndGet();
                }
            }
        }

        @Override
        public void unlock() {
            int holds = inner.getReadHoldCount();
            if (holds == 0) {
                throw new IllegalMonitorStateException("read lock of \"" + name + "\" unlocked by thread "
                        + Thread.currentThread().getName() + ", which does not hold it (" + describeHolders() + ")");
            }
            Thread t = Thread.currentThread();
            Hold ended = null;
            if (holds == 1) {
                ended = readers.remove(t);
            } else {
                Hold h = readers.get(t);
                if (h != null) {
                    h.decrementAndGet();
                }
            }
            lock.unlock();
            if (ended != null) {
                released(ended);
            }
        }

        @Override
        public Condition newCondition() {
            throw new UnsupportedOperationException("read locks have no conditions (as in ReentrantReadWriteLock)");
        }
    }

    private final class WriteSide extends ExclusiveSide {
        WriteSide() {
            super(NamedReadWriteLock.this, inner.writeLock(), new HolderSlot(), LockMode.WRITE, "write lock of \"" + name + "\"");
        }

        @Override
        int holdCount() {
            return inner.getWriteHoldCount();
        }

        @Override
        boolean heldByCurrentThread() {
            return inner.isWriteLockedByCurrentThread();
        }

        @Override
        boolean queued() {
            return inner.hasQueuedThreads();
        }
    }
}
