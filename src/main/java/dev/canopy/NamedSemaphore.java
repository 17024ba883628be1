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
    private final PermitSync sync;
    /** Permits held, per acquiring thread and context (so deadlock detection sees the right threads). */
    private final ThreadSlots<PermitSlot> slots = new ThreadSlots<>(PermitSlot::new, PermitSlot::holdsNothing,
            this::absorb);
    /**
     * Serialises releases across threads (see {@link #releaseAcrossThreads}), and holds them off while a thread
     * records permits it took on a slow path or keeps what listeners attached to its hold.
     */
    private final Object crossThreadReleases = new Object();
    /** The wait for one permit, the common one: made once, so a contended wait allocates no lambda. */
    private final Attempt onePermit = timeout -> attempt(1, timeout);

    NamedSemaphore(Context owner, String name, int permits, boolean fair) {
        super(owner, name, LockKind.SEMAPHORE, fair);
        this.sync = new PermitSync(permits, fair);
        tree.lockRegistry().register(this);
    }

    static int checkPermits(String what, int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException(what + " must not be negative: " + permits);
        }
        return permits;
    }

    /** The thread's slot, or null before its first acquisition; {@code t} is the current thread's state. */
    private PermitSlot currentSlot(ThreadIds t) {
        return t.lastSemaphore == this ? t.lastPermitSlot : slots.current();
    }

    /** The thread's slot, made on its first acquisition; {@code t} is the current thread's state. */
    private PermitSlot ownSlot(ThreadIds t) {
        if (t.lastSemaphore == this) {
            return t.lastPermitSlot;
        }
        PermitSlot own = slots.own();
        t.lastSemaphore = this;
        t.lastPermitSlot = own;
        return own;
    }

    /** The context the current thread acquires or releases for: its current one, or the tree's root. */
    private Context acquiringContext(ThreadIds t) {
        Context c = t.currentContext;
        return c != null ? c : tree.root();
    }

    /**
     * Takes {@code permits} for {@code context} now if they are free, and records them; false when too few are free
     * (or, for a fair semaphore and {@code !barge}, threads are queued). Zero permits are taken but not recorded.
     */
    private boolean takeNow(ThreadIds t, Context context, int permits, long now, boolean barge) {
        if (permits == 0) {
            return barge || !fair || !sync.hasQueuedThreads();
        }
        PermitSlot slot = ownSlot(t);
        long taken = slot.acquireOwn(sync, context, permits, now, barge);
        if (taken == PermitSlot.CROSSING) {
            synchronized (crossThreadReleases) { // waits for the release across threads to end
                taken = sync.tryTake(permits, barge) == PermitSync.TAKEN
                        ? slot.acquiredSlow(context, permits, now) : PermitSlot.TOO_FEW;
            }
            if (taken == PermitSlot.TOO_FEW) {
                return false;
            }
            acquired(slot, context, taken, now, false);
            return true;
        }
        if (taken == PermitSlot.TOO_FEW) {
            return false;
        }
        acquired(slot, context, taken, now, true);
        return true;
    }

    /** Records {@code permits} the current thread took for {@code context} by waiting in the queue. */
    private void tookAfterWaiting(ThreadIds t, Context context, int permits, long now) {
        if (permits == 0) {
            return;
        }
        PermitSlot slot = ownSlot(t);
        long taken;
        synchronized (crossThreadReleases) {
            taken = slot.acquiredSlow(context, permits, now);
        }
        acquired(slot, context, taken, now, false);
    }

    /**
     * What every recorded acquisition does after the slot's part: listeners, activity, registration.
     * {@code taken} is what the slot returned: positive when a new hold began. {@code fenced}: recorded on the fast
     * path, whose CAS came after the slot was marked as being written (see {@link LockCore#acquiredFenced}).
     */
    private void acquired(PermitSlot slot, Context context, long taken, long now, boolean fenced) {
        if (taken > 0) {
            ListenerChain lc = tree.listeners();
            if (lc.wantsLockHoldNow()) {
                announce(slot, context, taken, lc);
            }
        }
        if (fenced) {
            acquiredFenced(context, now);
        } else {
            acquiredBy(context, now);
        }
    }

    /**
     * Tells the listeners of a new hold, outside any lock, then keeps what they attached in the hold; if a release
     * across threads ended the hold meanwhile, the announcement ends at once instead of staying open.
     */
    private void announce(PermitSlot slot, Context context, long startedBy, ListenerChain lc) {
        Object attachment = lc.lockHoldStarted(this, context, LockMode.PERMIT);
        boolean kept;
        synchronized (crossThreadReleases) {
            kept = slot.attach(context, startedBy, lc, attachment);
        }
        if (!kept) {
            lc.lockHoldEnded(this, context, LockMode.PERMIT, attachment);
        }
    }

    /** One blocking attempt to take {@code permits}, as the slow path wants it. */
    private Attempt attemptFor(int permits) {
        return permits == 1 ? onePermit : timeout -> attempt(permits, timeout);
    }

    private boolean attempt(int permits, long timeoutNanos) throws InterruptedException {
        if (timeoutNanos < 0) {
            sync.acquireSharedInterruptibly(permits);
            return true;
        }
        return sync.tryAcquireSharedNanos(permits, timeoutNanos);
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
        ThreadIds t = ThreadIds.current();
        Context context = acquiringContext(t);
        if (!takeNow(t, context, permits, now, false)) {
            awaitAcquire(context, LockMode.PERMIT, permits, true, -1, attemptFor(permits));
            tookAfterWaiting(t, context, permits, coarseNow());
        }
    }

    public void acquireUninterruptibly() {
        acquireUninterruptibly(1);
    }

    public void acquireUninterruptibly(int permits) {
        acquireUninterruptiblyFor(permits);
    }

    /** As {@link #acquireUninterruptibly(int)}; returns the context the permits were acquired for. */
    private Context acquireUninterruptiblyFor(int permits) {
        checkPermits("permits to acquire", permits);
        long now = coarseNow();
        ThreadIds t = ThreadIds.current();
        Context context = acquiringContext(t);
        if (!takeNow(t, context, permits, now, false)) {
            try {
                awaitAcquire(context, LockMode.PERMIT, permits, false, -1, attemptFor(permits));
            } catch (InterruptedException e) {
                throw new IllegalStateException("uninterruptible wait was interrupted", e);
            }
            tookAfterWaiting(t, context, permits, coarseNow());
        }
        return context;
    }

    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    public boolean tryAcquire(int permits) {
        checkPermits("permits to acquire", permits);
        ThreadIds t = ThreadIds.current();
        return takeNow(t, acquiringContext(t), permits, coarseNow(), true);
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
        ThreadIds t = ThreadIds.current();
        Context context = acquiringContext(t);
        if (takeNow(t, context, permits, now, false)) {
            return true;
        }
        if (awaitAcquire(context, LockMode.PERMIT, permits, true, Math.max(0, unit.toNanos(timeout)),
                attemptFor(permits))) {
            tookAfterWaiting(t, context, permits, coarseNow());
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
        ThreadIds t = ThreadIds.current();
        Context context = acquiringContext(t);
        PermitSlot own = currentSlot(t);
        long now = coarseNow();
        Hold ended = own == null ? PermitSlot.SLOW : own.releaseOwn(sync, context, permits, now);
        if (ended == PermitSlot.SLOW) {
            releaseAcrossThreads(context, permits, now);
        } else if (ended == PermitSlot.TOLD) {
            own.tellEnded(this, context);
        }
    }

    /**
     * A release the current thread's slot could not make alone: it holds too few of the context's permits, or
     * another release across threads was under way. Takes the context's permits from its own slot first, then from
     * its other threads' slots. These releases are serialised by a monitor and mark the semaphore's state while
     * they run, so no thread's own acquisition or release changes a slot meanwhile ({@link PermitSync}); the
     * permits are counted before any is taken, so a release that is refused changes nothing.
     *
     * @throws IllegalStateException if the context holds fewer than {@code permits}
     */
    private void releaseAcrossThreads(Context context, int permits, long now) {
        List<Hold> ended = new ArrayList<>(2);
        synchronized (crossThreadReleases) {
            long begun = sync.beginCrossing();
            int released = 0;
            try {
                List<PermitSlot> holding = new ArrayList<>();
                PermitSlot own = currentSlot(ThreadIds.current());
                int held = 0;
                if (own != null) {
                    held += own.heldByQuiet(context); // our own slot: nobody else writes it now
                    holding.add(own);
                }
                for (PermitSlot s : slots.all()) {
                    if (s != own) {
                        s.awaitOwnerQuiet();
                        int here = s.heldByQuiet(context);
                        if (here > 0) {
                            held += here;
                            holding.add(s);
                        }
                    }
                }
                if (held < permits) {
                    throw new IllegalStateException("context " + context.path() + " holds " + held + " permit"
                            + (held == 1 ? "" : "s") + " of semaphore \"" + name + "\" and cannot release " + permits);
                }
                int left = permits;
                for (int i = 0; i < holding.size() && left > 0; i++) {
                    left -= holding.get(i).take(context, left, now, ended);
                }
                released = permits;
            } finally {
                sync.endCrossing(begun, released);
            }
        }
        for (Hold h : ended) {
            holdEnded(h);
        }
    }

    /** Acquires every available permit now and returns how many (as {@link Semaphore#drainPermits()}). */
    public int drainPermits() {
        long now = coarseNow();
        Context context = acquiringContext();
        PermitSlot slot;
        int drained;
        long taken;
        synchronized (crossThreadReleases) {
            drained = sync.drain();
            if (drained == 0) {
                return 0;
            }
            slot = ownSlot(ThreadIds.current());
            taken = slot.acquiredSlow(context, drained, now);
        }
        acquired(slot, context, taken, now, false);
        return drained;
    }

    public boolean hasQueuedThreads() {
        return sync.hasQueuedThreads();
    }

    @Override
    java.util.Collection<Thread> queuedThreads() {
        return sync.getQueuedThreads();
    }

    public int getQueueLength() {
        return sync.getQueueLength();
    }

    /** Acquires one permit (uninterruptibly) and returns a guard that releases it. */
    public Held permit() {
        return permits(1);
    }

    /** Acquires {@code permits} (uninterruptibly) and returns a guard that releases them. */
    public Held permits(int permits) {
        Context context = acquireUninterruptiblyFor(permits);
        return new Held() {
            private boolean closed;

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    if (acquiringContext() == context) {
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
        return sync.availablePermits();
    }

    /**
     * Permits held by the current context (by all its threads). A release across threads is never seen half done;
     * what the context's other threads acquire or release on their own while the slots are summed may or may not be
     * counted.
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
        return sync.availablePermits();
    }

    @Override
    void collectStatistics(List<HoldStatistics> out) {
        out.addAll(slots.all());
    }

    @Override
    void collectHolds(List<Hold> out) {
        slots.sweep();
        for (PermitSlot s : slots.all()) {
            s.collect(out);
        }
    }
}
