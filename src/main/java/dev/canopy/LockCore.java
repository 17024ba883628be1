package dev.canopy;

import dev.canopy.spi.LockView;

import dev.canopy.status.LockHolder;
import dev.canopy.status.LockSnapshot;
import dev.canopy.status.LockWaiter;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every named lock shares: identity, the owning context, waiter bookkeeping, statistics, and the slow path
 * that waits (parking in the JDK lock, never spinning) while the wait is visible to status and deadlock detection.
 */
abstract class LockCore implements LockView {
    private static final AtomicLong IDS = new AtomicLong();
    /** Waits shorter than this are not registered as waiters (nor shown, nor recorded): too short to matter. */
    static final long UNTRACKED_WAIT_NANOS = 50_000;

    final long id = IDS.incrementAndGet();
    final String name;
    final LockKind kind;
    /** Weak: a lock must not keep a context its owner dropped from being collected (and reported as a leak). */
    private final java.lang.ref.WeakReference<Context> owner;
    final String ownerPath;
    final ContextTree tree;
    final boolean fair;
    final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    /** Statistics of dropped slots ({@link #absorb}); the live ones stay in the slots. */
    private final LongAdder acquisitions = new LongAdder();
    private final LongAdder contended = new LongAdder();
    private final LongAdder totalWaitNanos = new LongAdder();
    private final LongAdder totalHoldNanos = new LongAdder();
    private final AtomicLong maxWaitNanos = new AtomicLong();
    private final AtomicLong maxHoldNanos = new AtomicLong();
    volatile boolean registered;

    LockCore(Context owner, String name, LockKind kind, boolean fair) {
        this.owner = new java.lang.ref.WeakReference<>(owner);
        this.name = name;
        this.kind = kind;
        this.fair = fair;
        this.tree = owner.tree;
        this.ownerPath = owner.path();
        // registered by each subclass once its own fields exist: a snapshot may read them at once
    }

    /** The lock's name. */
    @Override
    public String name() {
        return name;
    }

    /** Unique among the named locks of this JVM. */
    @Override
    public long id() {
        return id;
    }

    /** Mutex, read/write lock or semaphore. */
    @Override
    public LockKind kind() {
        return kind;
    }

    /** The path of the context the lock was created in. */
    @Override
    public String ownerPath() {
        return ownerPath;
    }

    /** How many waiters are registered now. */
    @Override
    public int waiterCount() {
        return waiters.size();
    }

    /**
     * The context the lock was created in, while it exists (it may have ended: the lock stays usable, and reports
     * the owner's path, {@link #snapshot()}{@code .ownerPath()}, either way).
     */
    public java.util.Optional<Context> owner() {
        return java.util.Optional.ofNullable(owner.get());
    }

    /** Whether the owning context has ended or been collected. */
    final boolean ownerGone() {
        Context o = owner.get();
        return o == null || o.isEnded();
    }

    /** Whether waiters are served in arrival order. */
    public boolean isFair() {
        return fair;
    }

    /** Holders, waiters and statistics at this moment. */
    @Override
    public LockSnapshot snapshot() {
        return snapshot(tree.clock.nanoTime());
    }

    /** The context whose code is acquiring: the current one, or the root of the lock's tree. */
    final Context acquiringContext() {
        Context c = CurrentContext.get();
        return c != null ? c : tree.root();
    }

    final long now() {
        return tree.clock.nanoTime();
    }

    /** The clock holds are timed with: status and statistics want milliseconds, not a 20 ns clock read. */
    final long coarseNow() {
        return tree.clock.coarseNanoTime();
    }

    /** Where the lock's hold statistics are kept: its holder slots (see {@link HoldStatistics}). */
    abstract void collectStatistics(List<HoldStatistics> out);

    /** Adds the statistics of a slot about to be dropped, so they are not lost with it. */
    final void absorb(HoldStatistics slot) {
        acquisitions.add(slot.acquisitions());
        totalHoldNanos.add(slot.totalHoldNanos());
        raise(maxHoldNanos, slot.maxHoldNanos());
    }

    /** What every first acquisition does, whichever side keeps the holder. */
    final void acquiredBy(Context context, long now) {
        context.touchAt(now);
        // The hold is written. The registry drops an idle lock whose owner has ended by writing `registered`, then
        // reading the holds; neither a holder slot's release stores nor the lock's own CAS (made before the hold was
        // written) keep our write ahead of the read below, so both sides fence. Only for a lock whose owner has
        // ended, as no other is ever dropped: a full fence on every acquisition would cost a quarter of the lock.
        // (An owner ending within the few nanoseconds between a hold's write and this read, while a scan runs,
        // is not covered: such a lock is listed again at its next first acquisition.)
        if (ownerGone()) {
            VarHandle.fullFence();
        }
        if (!registered) {
            tree.lockRegistry().register(this);
        }
    }

    /**
     * As {@link #acquiredBy}, for a hold whose recording a full fence already separates from the read of
     * {@code registered} below: a semaphore's fast path marks its slot as being written before the semaphore's
     * CAS, and the registry's reading of the holds waits for that mark to clear.
     */
    final void acquiredFenced(Context context, long now) {
        context.touchAt(now);
        if (!registered) {
            tree.lockRegistry().register(this);
        }
    }

    /** Announces the hold now recorded in {@code slot} to the listeners; the slot keeps what they attached. */
    final void slotHoldStarted(HolderSlot slot, Context context, LockMode mode) {
        ListenerChain lc = tree.listeners();
        if (lc.wantsLockHoldNow()) {
            slot.holdListeners = lc;
            slot.holdAttachment = lc.lockHoldStarted(this, context, mode);
        }
    }

    /** Tells the listeners that heard of {@code hold}'s start that it ended. */
    final void holdEnded(Hold hold) {
        ListenerChain lc = hold.listeners;
        if (lc != null) {
            hold.listeners = null;
            lc.lockHoldEnded(this, hold.context, hold.mode, hold.attachment);
            hold.attachment = null;
        }
    }

    private static void raise(AtomicLong max, long value) {
        long m;
        while (value > (m = max.get()) && !max.compareAndSet(m, value)) {
            // another thread raised it meanwhile; try again only if still higher
        }
    }

    /** One try to acquire, waiting at most {@code timeoutNanos} (forever when negative). */
    interface Attempt {
        boolean attempt(long timeoutNanos) throws InterruptedException;
    }

    /**
     * The slow path: registers a waiter (visible in status, deadlock detection and as the context's operation),
     * waits in the JDK primitive, and stops waiting with {@link CancellationException} when the waiting context is
     * cancelled. Non-interruptible acquisitions keep waiting through plain interrupts and restore the flag after.
     *
     * @return whether it acquired (false only on timeout)
     */
    final boolean awaitAcquire(LockMode mode, int permits, boolean interruptible, long timeoutNanos,
                               Attempt attempt) throws InterruptedException {
        return awaitAcquire(acquiringContext(), mode, permits, interruptible, timeoutNanos, attempt);
    }

    /** As above, for the already known acquiring context. */
    final boolean awaitAcquire(Context context, LockMode mode, int permits, boolean interruptible, long timeoutNanos,
                               Attempt attempt) throws InterruptedException {
        if (context.isCancelled()) {
            throw cancelledWhileWaiting(context);
        }
        if (interruptible && timeoutNanos >= 0 && timeoutNanos <= UNTRACKED_WAIT_NANOS) {
            // the whole wait is shorter than any shown (tryLock(0, unit) among them): one try, no waiter, fair or
            // not, as a waiter in a fair lock's queue gives its turn up after this long anyway
            try {
                if (attempt.attempt(timeoutNanos)) {
                    contended.increment();
                    return true;
                }
                return false;
            } catch (InterruptedException e) {
                if (context.isCancelled()) {
                    throw cancelledWhileWaiting(context);
                }
                throw e;
            }
        }
        boolean interruptedMeanwhile = false;
        if (!fair && (timeoutNanos < 0 || timeoutNanos > UNTRACKED_WAIT_NANOS)) {
            // most contended waits are over within microseconds: park that long before paying for a visible
            // waiter (a fair lock skips this, as leaving its queue would cost the thread its turn)
            try {
                if (attempt.attempt(UNTRACKED_WAIT_NANOS)) {
                    contended.increment();
                    return true;
                }
            } catch (InterruptedException e) {
                if (context.isCancelled()) {
                    throw cancelledWhileWaiting(context);
                }
                if (interruptible) {
                    throw e;
                }
                interruptedMeanwhile = true;
            }
            if (timeoutNanos > 0) {
                timeoutNanos -= UNTRACKED_WAIT_NANOS;
            }
        }
        long start = now();
        long realStart = System.nanoTime();
        Waiter waiter = new Waiter(this, context, Thread.currentThread(), mode, permits, start);
        LockRegistry registry = tree.lockRegistry();
        OperationImpl operation = null;
        Registration onCancel = null;
        ListenerChain listeners = tree.listeners();
        Object waitAttachment = listeners.wantsLocks
                ? listeners.lockWaitStarted(this, context, mode, permits) : null;
        boolean acquired = false;
        try {
            // the operation first: whoever sees the waiter also sees what its context is waiting on
            operation = context.beginOperation("waiting for lock \"" + name + "\"", start);
            waiters.add(waiter);
            registry.waitStarted(this);
            onCancel = context.onCancel(waiter::interruptIfWaiting);
            while (true) {
                long left = -1;
                if (timeoutNanos >= 0) {
                    left = Math.max(0, timeoutNanos - (System.nanoTime() - realStart));
                }
                try {
                    acquired = attempt.attempt(left);
                    return acquired;
                } catch (InterruptedException e) {
                    if (context.isCancelled()) {
                        throw cancelledWhileWaiting(context);
                    }
                    if (interruptible) {
                        throw e;
                    }
                    interruptedMeanwhile = true;
                }
            }
        } finally {
            boolean interruptSent = waiter.finish();
            if (onCancel != null) {
                onCancel.close();
            }
            if (waiters.remove(waiter)) {
                registry.waitEnded();
            }
            if (operation != null) {
                operation.close();
            }
            if (listeners.wantsLocks) {
                listeners.lockWaitEnded(this, context, mode, permits, waitAttachment, acquired);
            }
            if (acquired && interruptSent && !interruptedMeanwhile) {
                // the cancel's interrupt lost the race with the acquisition: do not leave it behind
                Thread.interrupted();
            }
            if (acquired) {
                long waited = Math.max(0, now() - start);
                contended.increment();
                totalWaitNanos.add(waited);
                raise(maxWaitNanos, waited);
            }
            if (interruptedMeanwhile) {
                Thread.currentThread().interrupt();
            }
        }
    }

    final CancellationException cancelledWhileWaiting(Context context) {
        Cancellation c = context.cancellation().orElse(null);
        return new CancellationException("stopped waiting for " + (kind == LockKind.SEMAPHORE ? "semaphore" : "lock")
                + " \"" + name + "\": context " + context.path()
                + " was cancelled" + (c == null ? "" : ": " + c.reason()));
    }

    /** Everyone holding the lock now. */
    abstract void collectHolds(List<Hold> out);

    /**
     * The threads queued in the lock's JDK primitive now, registered as waiters or not yet: how the steps of a
     * deadlock the JVM reports are told to be waits for named locks.
     */
    abstract java.util.Collection<Thread> queuedThreads();

    /** Available permits (semaphores); 0 otherwise. */
    int availablePermitsForSnapshot() {
        return 0;
    }

    final List<Hold> holds() {
        List<Hold> out = new ArrayList<>(2);
        collectHolds(out);
        return out;
    }

    final boolean isIdle() {
        return waiters.isEmpty() && holds().isEmpty();
    }

    /** Whether a holder in {@code holdMode} keeps a waiter in {@code waitMode} waiting. */
    static boolean conflicts(LockMode waitMode, LockMode holdMode) {
        return waitMode != LockMode.READ || holdMode == LockMode.WRITE;
    }

    final LockHolder holder(Hold h, long now) {
        return new LockHolder(name, kind, h.mode, h.context.id(), h.context.path(), LockRegistry.describe(h.thread), h.count,
                tree.instantAt(h.sinceNanos), Duration.ofNanos(Math.max(0, now - h.sinceNanos)));
    }

    final LockWaiter waiter(Waiter w, long now) {
        return new LockWaiter(name, kind, w.mode, w.context.id(), w.context.path(), LockRegistry.describe(w.thread), w.permits,
                tree.instantAt(w.sinceNanos), Duration.ofNanos(Math.max(0, now - w.sinceNanos)));
    }

    final LockSnapshot snapshot(long now) {
        List<LockHolder> holders = new ArrayList<>();
        for (Hold h : holds()) {
            holders.add(holder(h, now));
        }
        holders.sort(Comparator.comparing(LockHolder::since));
        List<LockWaiter> waiting = new ArrayList<>();
        for (Waiter w : waiters) {
            waiting.add(waiter(w, now));
        }
        waiting.sort(Comparator.comparing(LockWaiter::since));
        List<HoldStatistics> slots = new ArrayList<>(2);
        collectStatistics(slots);
        long acquired = acquisitions.sum();
        long totalHold = totalHoldNanos.sum();
        long maxHold = maxHoldNanos.get();
        for (HoldStatistics x : slots) {
            acquired += x.acquisitions();
            totalHold += x.totalHoldNanos();
            maxHold = Math.max(maxHold, x.maxHoldNanos());
        }
        return new LockSnapshot(id, name, kind, ownerPath, fair, availablePermitsForSnapshot(), holders, waiting,
                acquired, contended.sum(), Duration.ofNanos(totalWaitNanos.sum()),
                Duration.ofNanos(maxWaitNanos.get()), Duration.ofNanos(totalHold), Duration.ofNanos(maxHold));
    }

    final String describeHolders() {
        List<Hold> hs = holds();
        if (hs.isEmpty()) {
            return "nobody holds it";
        }
        StringBuilder b = new StringBuilder("held by ");
        for (int i = 0; i < hs.size(); i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(hs.get(i).context.path()).append(" [").append(LockRegistry.describe(hs.get(i).thread))
                    .append(']');
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[\"" + name + "\" in " + ownerPath + "]";
    }
}
