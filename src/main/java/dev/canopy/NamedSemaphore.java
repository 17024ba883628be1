package dev.canopy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
    /** Permits held, per acquiring thread and context (so deadlock detection sees the right threads). */
    private final ThreadSlots<PermitSlot> slots = new ThreadSlots<>(PermitSlot::new, PermitSlot::holdsNothing,
            this::absorb);
    /** Serialises releases that take permits from other threads' slots (see {@link #release(int)}). */
    private final Object crossThreadReleases = new Object();
    /**
     * The slot of the thread that acquired last, tried before the map (as the read lock's last reader): written only
     * when another thread acquires, racy by design, safe as {@link PermitSlot#owner} is final.
     */
    private PermitSlot lastSlot;

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
        ownSlot().add(context, now, permits, this, tree.listeners());
        acquiredUnderLock(context, now);
    }

    /** The current thread's slot, or null before its first acquisition. */
    private PermitSlot currentSlot() {
        PermitSlot last = lastSlot;
        return last != null && last.owner == Thread.currentThread() ? last : slots.current();
    }

    /** The current thread's slot, made on its first acquisition. */
    private PermitSlot ownSlot() {
        PermitSlot last = lastSlot;
        if (last != null && last.owner == Thread.currentThread()) {
            return last;
        }
        PermitSlot own = slots.own();
        lastSlot = own;
        return own;
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
        PermitSlot own = currentSlot();
        long now = coarseNow();
        Hold ended = own == null ? PermitSlot.NOT_HERE : own.releaseHere(context, permits, now);
        if (ended != PermitSlot.NOT_HERE) {
            inner.release(permits);
            if (ended != PermitSlot.STILL_HELD && ended != PermitSlot.ENDED) {
                holdEnded(ended);
            }
            return;
        }
        releaseAcrossThreads(context, permits, now);
    }

    /**
     * A release the current thread's slot cannot cover alone: takes the context's permits from its own slot first,
     * then from its other threads' slots. Cross-thread releases are serialised; each slot is locked only while it
     * is taken from, and a hold taken to zero stays in its slot (holding nothing) until the release is decided, so
     * the thread's own release of it meanwhile is refused by its slot and comes here to wait its turn. If the
     * context turns out to hold too few, everything taken is given back and nothing changed.
     *
     * @throws IllegalStateException if the context holds fewer than {@code permits}
     */
    private void releaseAcrossThreads(Context context, int permits, long now) {
        List<Hold> ended = new ArrayList<>(2);
        synchronized (crossThreadReleases) {
            List<PermitSlot> holding = new ArrayList<>();
            PermitSlot own = currentSlot();
            if (own != null) {
                holding.add(own);
            }
            for (PermitSlot s : slots.all()) {
                if (s != own) {
                    holding.add(s);
                }
            }
            int[] taken = new int[holding.size()];
            int left = permits;
            for (int i = 0; i < taken.length && left > 0; i++) {
                taken[i] = holding.get(i).takeKeeping(context, left);
                left -= taken[i];
            }
            if (left > 0) {
                for (int i = 0; i < taken.length; i++) {
                    if (taken[i] > 0) {
                        holding.get(i).giveBack(context, taken[i]);
                    }
                }
                int held = permits - left;
                throw new IllegalStateException("context " + context.path() + " holds " + held + " permit"
                        + (held == 1 ? "" : "s") + " of semaphore \"" + name + "\" and cannot release " + permits);
            }
            inner.release(permits); // first: whatever happens next, the permits are back
            for (int i = 0; i < taken.length; i++) {
                if (taken[i] > 0) {
                    holding.get(i).dropIfEmpty(context, now, ended);
                }
            }
        }
        for (Hold h : ended) {
            holdEnded(h);
        }
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

    /**
     * Permits held by the current context (by all its threads). A release across threads is never seen half done
     * (one that is refused takes permits from slots and gives them back); what the context's other threads acquire
     * or release on their own while the slots are summed may or may not be counted.
     */
    public int heldByCurrentContext() {
        Context context = acquiringContext();
        synchronized (crossThreadReleases) {
            int held = 0;
            for (PermitSlot s : slots.all()) {
                held += s.heldBy(context);
            }
            return held;
        }
    }

    /** How many per-thread slots are kept (for tests). */
    int threadSlots() {
        return slots.size();
    }

    @Override
    int availablePermitsForSnapshot() {
        return inner.availablePermits();
    }

    @Override
    void collectStatistics(List<HoldStatistics> out) {
        out.addAll(slots.all());
    }

    @Override
    void collectHolds(List<Hold> out) {
        slots.sweep();
        PermitSlot last = lastSlot;
        if (last != null && !last.owner.isAlive()) {
            lastSlot = null; // do not keep an ended thread reachable
        }
        for (PermitSlot s : slots.all()) {
            s.collect(out);
        }
    }
}
