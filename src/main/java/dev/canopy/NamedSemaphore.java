package dev.canopy;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A named counting semaphore with the semantics of {@link Semaphore} that knows which contexts hold permits and who
 * waits. Created by {@link Context#semaphore(String, int)}.
 * <pre>{@code
 * NamedSemaphore pool = ctx.semaphore("db-connections", 10);
 * try (var permit = pool.permit()) { ... }
 * }</pre>
 * Unlike a bare {@code Semaphore}, permits belong to the context that acquired them: a context may release only
 * what it holds (any of its threads may), so releasing more than held is refused instead of silently minting
 * permits. When a context ends while still holding permits they stay held (and are reported) until released.
 */
public final class NamedSemaphore extends LockCore {
    private final Semaphore inner;
    /** Permits held, per context and acquiring thread (so deadlock detection sees the right threads). */
    private final ConcurrentHashMap<HolderKey, Hold> holders = new ConcurrentHashMap<>();
    /** Permits held per context, all threads together: what a release is checked against. */
    private final ConcurrentHashMap<Context, java.util.concurrent.atomic.AtomicInteger> perContext =
            new ConcurrentHashMap<>();

    private record HolderKey(Context context, Thread thread) {
    }

    NamedSemaphore(Context owner, String name, int permits, boolean fair) {
        super(owner, name, LockKind.SEMAPHORE, fair);
        this.inner = new Semaphore(permits, fair);
        tree.lockRegistry().register(this);
    }

    static int checkPermits(String what, int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException(what + " must not be negative: " + permits);
        }
        return permits;
    }

    private void onAcquired(int permits, long now) {
        if (permits == 0) {
            return; // nothing is held
        }
        Context context = acquiringContext();
        Thread t = Thread.currentThread();
        Hold hold = holders.compute(new HolderKey(context, t), (k, h) -> {
            if (h == null) {
                return new Hold(k.context(), k.thread(), now, LockMode.PERMIT, permits);
            }
            h.addAndGet(permits);
            return h;
        });
        perContext.compute(context, (c, n) -> {
            if (n == null) {
                return new java.util.concurrent.atomic.AtomicInteger(permits);
            }
            n.addAndGet(permits);
            return n;
        });
        acquired(context, now, hold);
    }

    private boolean attempt(int permits, long timeoutNanos) throws InterruptedException {
        if (timeoutNanos < 0) {
            inner.acquire(permits);
            return true;
        }
        return inner.tryAcquire(permits, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private boolean tryFast(int permits) {
        return !fair || !inner.hasQueuedThreads() ? inner.tryAcquire(permits) : false;
    }

    public void acquire() throws InterruptedException {
        acquire(1);
    }

    public void acquire(int permits) throws InterruptedException {
        checkPermits("permits to acquire", permits);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long now = coarseNow();
        if (!tryFast(permits)) {
            awaitAcquire(LockMode.PERMIT, permits, true, -1, t -> attempt(permits, t));
            now = coarseNow();
        }
        onAcquired(permits, now);
    }

    public void acquireUninterruptibly() {
        acquireUninterruptibly(1);
    }

    public void acquireUninterruptibly(int permits) {
        checkPermits("permits to acquire", permits);
        long now = coarseNow();
        if (!tryFast(permits)) {
            try {
                awaitAcquire(LockMode.PERMIT, permits, false, -1, t -> attempt(permits, t));
            } catch (InterruptedException e) {
                throw new IllegalStateException("uninterruptible wait was interrupted", e);
            }
            now = coarseNow();
        }
        onAcquired(permits, now);
    }

    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    public boolean tryAcquire(int permits) {
        checkPermits("permits to acquire", permits);
        long now = coarseNow();
        if (inner.tryAcquire(permits)) {
            onAcquired(permits, now);
            return true;
        }
        return false;
    }

    public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        return tryAcquire(1, timeout, unit);
    }

    public boolean tryAcquire(int permits, long timeout, TimeUnit unit) throws InterruptedException {
        checkPermits("permits to acquire", permits);
        Objects.requireNonNull(unit, "unit");
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long now = coarseNow();
        if (tryFast(permits)) {
            onAcquired(permits, now);
            return true;
        }
        if (awaitAcquire(LockMode.PERMIT, permits, true, Math.max(0, unit.toNanos(timeout)), t -> attempt(permits, t))) {
            onAcquired(permits, coarseNow());
            return true;
        }
        return false;
    }

    public void release() {
        release(1);
    }

    /**
     * Gives back permits the current context holds (taken first from the current thread's acquisitions, then from
     * the context's other threads).
     *
     * @throws IllegalStateException if the current context holds fewer than {@code permits}
     */
    public void release(int permits) {
        checkPermits("permits to release", permits);
        if (permits == 0) {
            return;
        }
        Context context = acquiringContext();
        // the per-context count is the single point of truth for "may this context release that many"
        int[] held = {0};
        boolean[] ok = {false};
        perContext.computeIfPresent(context, (c, n) -> {
            held[0] = n.get();
            if (held[0] >= permits) {
                ok[0] = true;
                return n.addAndGet(-permits) == 0 ? null : n;
            }
            return n;
        });
        if (!ok[0]) {
            throw new IllegalStateException("context " + context.path() + " holds " + held[0] + " permit"
                    + (held[0] == 1 ? "" : "s") + " of semaphore \"" + name + "\" and cannot release " + permits);
        }
        int left = take(new HolderKey(context, Thread.currentThread()), permits);
        if (left > 0) {
            for (var key : holders.keySet()) {
                if (key.context() == context) {
                    left = take(key, left);
                    if (left == 0) {
                        break;
                    }
                }
            }
        }
        inner.release(permits);
    }

    /** Takes up to {@code wanted} permits from one holder; returns how many are still to take. */
    private int take(HolderKey key, int wanted) {
        int[] left = {wanted};
        holders.computeIfPresent(key, (k, h) -> {
            int taken = Math.min(h.get(), left[0]);
            left[0] -= taken;
            if (h.addAndGet(-taken) == 0) {
                released(h);
                return null;
            }
            return h;
        });
        return left[0];
    }

    /** Acquires every available permit now and returns how many (as {@link Semaphore#drainPermits()}). */
    public int drainPermits() {
        long now = coarseNow();
        int drained = inner.drainPermits();
        onAcquired(drained, now);
        return drained;
    }

    public boolean hasQueuedThreads() {
        return inner.hasQueuedThreads();
    }

    public int getQueueLength() {
        return inner.getQueueLength();
    }

    /** Acquires one permit (uninterruptibly) and returns a guard that releases it. */
    public Held permit() {
        return permits(1);
    }

    /** Acquires {@code permits} (uninterruptibly) and returns a guard that releases them. */
    public Held permits(int permits) {
        acquireUninterruptibly(permits);
        Context context = acquiringContext();
        return new Held() {
            private boolean closed;

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    Context current = CurrentContext.get();
                    if (current == context || current == null && context == tree.root()) {
                        release(permits);
                    } else {
                        try (Scope s = context.makeCurrent()) {
                            release(permits);
                        }
                    }
                }
            }
        };
    }

    public int availablePermits() {
        return inner.availablePermits();
    }

    /** Permits held by the current context. */
    public int heldByCurrentContext() {
        java.util.concurrent.atomic.AtomicInteger n = perContext.get(acquiringContext());
        return n == null ? 0 : n.get();
    }

    @Override
    int availablePermitsForSnapshot() {
        return inner.availablePermits();
    }

    @Override
    void collectHolds(List<Hold> out) {
        out.addAll(holders.values());
    }
}
