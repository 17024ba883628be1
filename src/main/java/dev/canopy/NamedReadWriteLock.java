package dev.canopy;

import java.util.List;
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
    private final WriterKnowingLock inner;
    /**
     * Each reading thread's reused slot: the thread alone writes it, so a read hold writes nothing another reading
     * thread touches.
     */
    private final ThreadSlots<ReaderSlot> readers = new ThreadSlots<>(ReaderSlot::new, HolderSlot::isEmpty,
            this::absorb);
    /**
     * The slot of the thread that read last, tried before the map (as {@code ReentrantReadWriteLock} caches its
     * last reader's count): written only when another thread reads, racy by design, safe as {@code owner} is final.
     */
    private ReaderSlot lastReader;

    private final ReadSide readSide;
    private final WriteSide writeSide;

    NamedReadWriteLock(Context owner, String name, boolean fair) {
        super(owner, name, LockKind.READ_WRITE, fair);
        this.inner = new WriterKnowingLock(fair);
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

    @Override
    java.util.Collection<Thread> queuedThreads() {
        return inner.queuedThreads();
    }

    public int getQueueLength() {
        return inner.getQueueLength();
    }

    /** A reading thread's slot, knowing its thread so the last reader's can be recognised without a lookup. */
    private static final class ReaderSlot extends HolderSlot {
        private static final long serialVersionUID = 1L;
        final transient Thread owner = Thread.currentThread();

        ReaderSlot() {
            super(true);
        }

        @Override
        Thread holdingThread() {
            return owner;
        }
    }

    /** The JDK lock, telling who holds its write side so the write slot need not record the thread. */
    private static final class WriterKnowingLock extends ReentrantReadWriteLock {
        private static final long serialVersionUID = 1L;

        WriterKnowingLock(boolean fair) {
            super(fair);
        }

        Thread writer() {
            return getOwner();
        }

        java.util.Collection<Thread> queuedThreads() {
            return getQueuedThreads();
        }
    }

    /** The write side's slot. */
    private final class WriterSlot extends HolderSlot {
        private static final long serialVersionUID = 1L;

        WriterSlot() {
            super(true); // the JDK lock tells other threads no write hold count
        }

        @Override
        Thread holdingThread() {
            return inner.writer();
        }
    }

    /** The current thread's reader slot, or null before its first read. */
    private ReaderSlot readerSlot() {
        ReaderSlot last = lastReader;
        return last != null && last.owner == Thread.currentThread() ? last : readers.current();
    }

    /** The current thread's reader slot, made on its first read. */
    private ReaderSlot ownReaderSlot() {
        ReaderSlot last = lastReader;
        if (last != null && last.owner == Thread.currentThread()) {
            return last;
        }
        ReaderSlot own = readers.own();
        lastReader = own;
        return own;
    }

    /** How many reader slots are kept (for tests). */
    int readerSlots() {
        return readers.size();
    }

    @Override
    void collectStatistics(List<HoldStatistics> out) {
        out.add(writeSide.slot());
        out.addAll(readers.all());
    }

    @Override
    void collectHolds(List<Hold> out) {
        readers.sweep();
        ReaderSlot last = lastReader;
        if (last != null && !last.owner.isAlive()) {
            lastReader = null; // do not keep an ended thread reachable
        }
        Hold w = writeSide.holder();
        if (w != null) {
            out.add(w);
        }
        for (HolderSlot r : readers.all()) {
            Hold h = r.holder(LockMode.READ);
            if (h != null) {
                out.add(h);
            }
        }
    }

    private final class ReadSide extends LockSide {
        private final ReentrantReadWriteLock.ReadLock lock = inner.readLock();

        ReadSide() {
            super(NamedReadWriteLock.this, LockMode.READ);
        }

        @Override
        boolean tryFast() {
            if (!fair) {
                return lock.tryLock();
            }
            // reentrant reads and downgrades never wait, even on a fair lock with queued threads
            HolderSlot slot = readerSlot();
            boolean reentrant = slot != null && slot.ownCount() > 0 || inner.isWriteLockedByCurrentThread();
            return reentrant || !inner.hasQueuedThreads() ? lock.tryLock() : false;
        }

        @Override
        boolean tryNow() {
            return lock.tryLock();
        }

        @Override
        public boolean attempt(long timeoutNanos) throws InterruptedException {
            return LockSide.attempt(lock, timeoutNanos);
        }

        @Override
        void onAcquired(long now, Context context) {
            HolderSlot slot = ownReaderSlot();
            int count = slot.ownCount();
            if (count == 0) {
                slot.fill(context, now, true);
                acquiredBy(context, now);
                slotHoldStarted(slot, context, LockMode.READ);
            } else {
                slot.count(count + 1);
            }
        }

        /**
         * @throws IllegalMonitorStateException if the current thread does not hold it (as the JDK lock does)
         */
        @Override
        public void unlock() {
            HolderSlot slot = readerSlot();
            int count = slot == null ? 0 : slot.ownCount();
            if (count == 0) {
                throw new IllegalMonitorStateException("read lock of \"" + name + "\" unlocked by thread "
                        + LockRegistry.describe(Thread.currentThread()) + ", which does not hold it (" + describeHolders() + ")");
            }
            if (count > 1) {
                slot.count(count - 1);
                lock.unlock();
                return;
            }
            Context context = slot.empty(coarseNow());
            lock.unlock();
            // the slot is this thread's alone, so the listeners' part of it can be read after the release
            ListenerChain lc = slot.holdListeners;
            if (lc != null) {
                Object attachment = slot.holdAttachment;
                slot.holdListeners = null;
                slot.holdAttachment = null;
                lc.lockHoldEnded(NamedReadWriteLock.this, context, LockMode.READ, attachment);
            }
        }

        @Override
        public Condition newCondition() {
            throw new UnsupportedOperationException("read locks have no conditions (as in ReentrantReadWriteLock)");
        }
    }

    private final class WriteSide extends ExclusiveSide {
        WriteSide() {
            super(NamedReadWriteLock.this, inner.writeLock(), new WriterSlot(), LockMode.WRITE,
                    "write lock of \"" + name + "\"");
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
