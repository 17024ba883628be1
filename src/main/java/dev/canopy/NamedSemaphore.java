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
    /** What {@link PermitSlot#releaseHere} returns when the slot does not hold enough of the context's permits. */
    private static final Hold NOT_HERE = new Hold(null, null, 0, LockMode.PERMIT, 0);

    private final Semaphore inner;
    /** Permits held, per acquiring thread and context (so deadlock detection sees the right threads). */
    private final ThreadSlots<PermitSlot> slots = new ThreadSlots<>(PermitSlot::new, PermitSlot::holdsNothing,
            this::absorb);
    /** Serialises releases that take permits from other threads' slots (see {@link #release(int)}). */
    private final Object crossThreadReleases = new Object();

    /**
     * One thread's permits of this semaphore, per context: nearly always one context at a time, so one hold in
     * {@link #first} and {@link #more} stays null. Guarded by the slot's monitor, which the thread itself takes to
     * acquire and release (uncontended) and other threads only to read it or to release a context's permits
     * across threads.
     */
    private static final class PermitSlot implements HoldStatistics {
        private Hold first;
        private List<Hold> more;
        private long acquisitions;
        private long totalHoldNanos;
        private long maxHoldNanos;

        @Override
        public synchronized long acquisitions() {
            return acquisitions;
        }

        @Override
        public synchronized long totalHoldNanos() {
            return totalHoldNanos;
        }

        @Override
        public synchronized long maxHoldNanos() {
            return maxHoldNanos;
        }

        synchronized boolean holdsNothing() {
            return first == null && (more == null || more.isEmpty());
        }

        /** Adds {@code permits} held by {@code context}; returns the hold, new or grown. */
        synchronized Hold add(Context context, long now, int permits) {
            acquisitions++;
            if (first == null) {
                first = new Hold(context, Thread.currentThread(), now, LockMode.PERMIT, permits);
                return first;
            }
            Hold h = find(context);
            if (h != null) {
                h.addAndGet(permits);
                return h;
            }
            if (more == null) {
                more = new ArrayList<>(2);
            }
            h = new Hold(context, Thread.currentThread(), now, LockMode.PERMIT, permits);
            more.add(h);
            return h;
        }

        /**
         * The thread's own release when this slot alone holds enough of {@code context}'s permits: returns the hold
         * that ended, null when it still holds some, or {@link #NOT_HERE} (nothing changed) when it holds too few.
         */
        synchronized Hold releaseHere(Context context, int permits, long now) {
            Hold h = find(context);
            if (h == null || h.get() < permits) {
                return NOT_HERE;
            }
            return h.addAndGet(-permits) == 0 ? remove(h, now) : null;
        }

        /** Permits {@code context} holds here; the caller holds the monitor. */
        int heldBy(Context context) {
            Hold h = find(context);
            return h == null ? 0 : h.get();
        }

        /** Takes up to {@code wanted} of {@code context}'s permits; the caller holds the monitor. */
        int take(Context context, int wanted, List<Hold> ended, long now) {
            Hold h = find(context);
            if (h == null) {
                return wanted;
            }
            int taken = Math.min(h.get(), wanted);
            if (h.addAndGet(-taken) == 0) {
                ended.add(remove(h, now));
            }
            return wanted - taken;
        }

        synchronized void collect(List<Hold> out) {
            if (first != null) {
                out.add(first);
            }
            if (more != null) {
                out.addAll(more);
            }
        }

        private Hold find(Context context) {
            if (first != null && first.context == context) {
                return first;
            }
            if (more != null) {
                for (Hold h : more) {
                    if (h.context == context) {
                        return h;
                    }
                }
            }
            return null;
        }

        /** Drops an ended hold and counts its time. */
        private Hold remove(Hold h, long now) {
            long held = Math.max(0, now - h.sinceNanos);
            totalHoldNanos += held;
            maxHoldNanos = Math.max(maxHoldNanos, held);
            if (h == first) {
                first = more == null || more.isEmpty() ? null : more.remove(more.size() - 1);
            } else {
                more.remove(h);
            }
            return h;
        }
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
        holdStarted(context, slots.own().add(context, now, permits));
        acquiredBy(context, now);
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
        PermitSlot own = slots.current();
        long now = coarseNow();
        Hold ended = own == null ? NOT_HERE : own.releaseHere(context, permits, now);
        if (ended != NOT_HERE) {
            inner.release(permits);
            if (ended != null) {
                holdEnded(ended);
            }
            return;
        }
        for (Hold h : releaseAcrossThreads(context, permits, now)) {
            holdEnded(h);
        }
        inner.release(permits);
    }

    /**
     * A release the current thread's slot cannot cover alone: takes the context's permits from its own slot first,
     * then from its other threads' slots, with every slot holding them locked at once, so that what the context
     * holds is checked and taken in one step even while its threads release concurrently. Returns the holds that
     * ended.
     *
     * @throws IllegalStateException if the context holds fewer than {@code permits}
     */
    private List<Hold> releaseAcrossThreads(Context context, int permits, long now) {
        synchronized (crossThreadReleases) {
            PermitSlot own = slots.current();
            List<PermitSlot> holding = new ArrayList<>();
            if (own != null) {
                holding.add(own);
            }
            for (PermitSlot s : slots.all()) {
                if (s != own) {
                    holding.add(s);
                }
            }
            List<Hold> ended = new ArrayList<>(2);
            int held = lockedRelease(holding, 0, new ArrayList<>(), context, permits, ended, now);
            if (held >= 0) {
                throw new IllegalStateException("context " + context.path() + " holds " + held + " permit"
                        + (held == 1 ? "" : "s") + " of semaphore \"" + name + "\" and cannot release " + permits);
            }
            return ended;
        }
    }

    /**
     * Locks {@code slots} from {@code i} on (nested, always in the same order: concurrent cross-thread releases are
     * serialised, and a thread's own release locks only its own slot, so no two lockers wait on each other), then
     * takes the permits. Returns -1 when taken, else what the context holds (nothing changed). Only slots that hold
     * the context's permits are locked, so the nesting is as deep as the context has threads holding.
     */
    private static int lockedRelease(List<PermitSlot> slots, int i, List<PermitSlot> locked, Context context,
                                     int permits, List<Hold> ended, long now) {
        for (; i < slots.size(); i++) {
            PermitSlot s = slots.get(i);
            synchronized (s) {
                if (s.heldBy(context) > 0) {
                    locked.add(s);
                    return lockedRelease(slots, i + 1, locked, context, permits, ended, now); // s stays locked
                }
            }
        }
        return take(locked, context, permits, ended, now);
    }

    /** With every slot holding the context's permits locked: what it holds, then the taking (own slot first). */
    private static int take(List<PermitSlot> slots, Context context, int permits, List<Hold> ended, long now) {
        int held = 0;
        for (PermitSlot s : slots) {
            held += s.heldBy(context);
        }
        if (held < permits) {
            return held;
        }
        int left = permits;
        for (int i = 0; i < slots.size() && left > 0; i++) {
            left = slots.get(i).take(context, left, ended, now);
        }
        return -1;
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

    /** Permits held by the current context (by all its threads). */
    public int heldByCurrentContext() {
        Context context = acquiringContext();
        int held = 0;
        for (PermitSlot s : slots.all()) {
            synchronized (s) {
                held += s.heldBy(context);
            }
        }
        return held;
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
        for (PermitSlot s : slots.all()) {
            s.collect(out);
        }
    }
}
