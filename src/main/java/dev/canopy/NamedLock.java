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
    private final ReentrantLock inner;
    /** The current holder; written only by the thread that holds the lock. */
    private volatile Hold holder;

    NamedLock(Context owner, String name, boolean fair) {
        super(owner, name, LockKind.MUTEX, fair);
        this.inner = new ReentrantLock(fair);
        tree.lockRegistry().register(this);
    }

    /** The acquisition paths; unlock, conditions and introspection stay here. */
    private final LockSide side = new LockSide(this, LockMode.EXCLUSIVE) {
        @Override
        boolean tryFast() {
            // a fair lock must not barge past queued threads, but a reentrant acquisition never waits
            return !fair || inner.isHeldByCurrentThread() || !inner.hasQueuedThreads() ? inner.tryLock() : false;
        }

        @Override
        boolean tryNow() {
            return inner.tryLock();
        }

        @Override
        boolean attempt(long timeoutNanos) throws InterruptedException {
            return LockSide.attempt(inner, timeoutNanos);
        }

        @Override
        void onAcquired(long now) {
            int count = inner.getHoldCount();
            if (count == 1) {
                Context context = acquiringContext();
                Hold h = new Hold(context, Thread.currentThread(), now, LockMode.EXCLUSIVE, 1);
                holder = h;
                acquired(context, now, h);
            } else {
                Hold h = holder;
                if (h != null) {
                    h.set(count);
                }
            }
        }

        @Override
        public void unlock() {
            NamedLock.this.unlock();
        }

        @Override
        public Condition newCondition() {
            return NamedLock.this.newCondition();
        }
    };

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
        if (!inner.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("named lock \"" + name + "\" unlocked by thread "
                    + Thread.currentThread().getName() + ", which does not hold it (" + describeHolders() + ")");
        }
        int count = inner.getHoldCount();
        Hold h = holder;
        if (count == 1) {
            holder = null;
        } else if (h != null) {
            h.set(count - 1);
        }
        inner.unlock();
        if (count == 1 && h != null) {
            released(h); // statistics and the clock read come after the critical section
        }
    }

    /** Locks and returns a guard whose {@code close()} unlocks: {@code try (var held = lock.acquire()) { }}. */
    public Held acquire() {
        side.lock();
        return side.guard();
    }

    /** A condition bound to this lock; waiting on it releases the lock, which status shows as not held. */
    @Override
    public Condition newCondition() {
        return new NamedCondition(inner.newCondition(), new NamedCondition.Owner() {
            @Override
            public void beforeWait() {
                if (!inner.isHeldByCurrentThread()) {
                    throw new IllegalMonitorStateException("condition of named lock \"" + name
                            + "\" used by thread " + Thread.currentThread().getName() + ", which does not hold the lock");
                }
                Hold h = holder;
                holder = null;
                if (h != null) {
                    released(h);
                }
            }

            @Override
            public void afterWait() {
                // a wake-up is not a new acquisition: only the holder record comes back
                Context context = acquiringContext();
                long now = now();
                Hold h = new Hold(context, Thread.currentThread(), now, LockMode.EXCLUSIVE, inner.getHoldCount());
                holder = h;
                Jfr.holdStarted(h);
                context.touchAt(now);
            }
        });
    }

    public boolean isHeldByCurrentThread() {
        return inner.isHeldByCurrentThread();
    }

    public int getHoldCount() {
        return inner.getHoldCount();
    }

    public boolean isLocked() {
        return inner.isLocked();
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
    void collectHolds(List<Hold> out) {
        Hold h = holder;
        if (h != null) {
            out.add(h);
        }
    }
}
