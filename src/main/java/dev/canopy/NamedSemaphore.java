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
    private final ConcurrentHashMap<Context, Hold> holders = new ConcurrentHashMap<>();

    NamedSemaphore(Context owner, String name, int permits, boolean fair) {
        super(owner, name, LockKind.SEMAPHORE, fair);
        this.inner = new Semaphore(permits, fair);
    }

    static int checkPermits(String what, int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException(what + " must not be negative: " + permits);
        }
        return permits;
    }

    private void onAcquired(int permits) {
        Context context = acquiringContext();
        long now = now();
        Thread t = Thread.currentThread();
        holders.compute(context, (c, h) -> {
            if (h == null) {
                return new Hold(c, t, now, LockMode.PERMIT, permits);
            }
            h.addAndGet(permits);
            return h;
        });
        acquired(context, now);
    }

    private boolean attempt(int permits, long timeoutNanos) throws InterruptedException {
        if (timeoutNanos < 0) {
            inner.acquire(permits);
            return true;
        }
        return inner.tryAcquire(permits, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private boolean tryFast(int permits) {
        return fair ? !inner.hasQueuedThreads() && inner.tryAcquire(permits) : inner.tryAcquire(permits);
    }

    public void acquire() throws InterruptedException {
        acquire(1);
    }

    public void acquire(int permits) throws InterruptedException {
        checkPermits("permits to acquire", permits);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (!tryFast(permits)) {
            awaitAcquire(LockMode.PERMIT, permits, true, -1, t -> attempt(permits, t));
        }
        onAcquired(permits);
    }

    public void acquireUninterruptibly() {
        acquireUninterruptibly(1);
    }

    public void acquireUninterruptibly(int permits) {
        checkPermits("permits to acquire", permits);
        if (!tryFast(permits)) {
            try {
                awaitAcquire(LockMode.PERMIT, permits, false, -1, t -> attempt(permits, t));
            } catch (InterruptedException e) {
                throw new IllegalStateException("uninterruptible wait was interrupted", e);
            }
        }
        onAcquired(permits);
    }

    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    public boolean tryAcquire(int permits) {
        checkPermits("permits to acquire", permits);
        if (inner.tryAcquire(permits)) {
            onAcquired(permits);
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
        if (tryFast(permits)
                || awaitAcquire(LockMode.PERMIT, permits, true, Math.max(0, unit.toNanos(timeout)), t -> attempt(permits, t))) {
            onAcquired(permits);
            return true;
        }
        return false;
    }

    public void release() {
        release(1);
    }

    /**
     * Gives back permits the current context holds.
     *
     * @throws IllegalStateException if the current context holds fewer than {@code permits}
     */
    public void release(int permits) {
        checkPermits("permits to release", permits);
        Context context = acquiringContext();
        long[] sinceAndHeld = {0, -1};
        holders.computeIfPresent(context, (c, h) -> {
            int held = h.get();
            sinceAndHeld[1] = held;
            if (held < permits) {
                return h;
            }
            sinceAndHeld[0] = h.sinceNanos;
            return h.addAndGet(-permits) == 0 ? null : h;
        });
        long held = Math.max(0, sinceAndHeld[1]);
        if (held < permits) {
            throw new IllegalStateException("context " + context.path() + " holds " + held + " permit"
                    + (held == 1 ? "" : "s") + " of semaphore \"" + name + "\" and cannot release " + permits);
        }
        if (held == permits) {
            released(sinceAndHeld[0]);
        }
        inner.release(permits);
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
        Hold h = holders.get(acquiringContext());
        return h == null ? 0 : h.get();
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
