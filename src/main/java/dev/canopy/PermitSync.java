package dev.canopy;

import java.util.concurrent.locks.AbstractQueuedLongSynchronizer;

/**
 * The counting semaphore under a {@link NamedSemaphore}: {@link java.util.concurrent.Semaphore}'s semantics (fair or
 * not, interruptible, timed), with a state that also says whether a release across threads is under way.
 *
 * <p>The state's low 32 bits are the available permits (never negative, never more than the semaphore was made
 * with, as only held permits are released). The high 32 bits are an epoch, odd while a release across threads
 * rewrites other threads' {@link PermitSlot}s. Every acquisition and every release of a thread's own permits moves
 * the state by a CAS that requires an even epoch, the one the thread saw before it read its slot: so it either
 * happened before such a release began, and the release sees it, or it fails and the thread takes the slow path,
 * which waits for the release. That one CAS is the {@code Semaphore}'s own: a thread's slot needs no atomic of its
 * own (see {@link PermitSlot}).
 */
final class PermitSync extends AbstractQueuedLongSynchronizer {
    private static final long serialVersionUID = 1L;
    private static final long PERMITS = 0xFFFF_FFFFL;
    private static final long EPOCH = 1L << 32;

    private final boolean fair;

    PermitSync(int permits, boolean fair) {
        this.fair = fair;
        setState(permits);
    }

    static int available(long state) {
        return (int) (state & PERMITS);
    }

    /** Whether a release across threads is rewriting slots in this state. */
    static boolean crossing(long state) {
        return (state & EPOCH) != 0;
    }

    long state() {
        return getState();
    }

    int availablePermits() {
        return available(getState());
    }

    /** The outcomes of {@link #tryTake}. */
    static final int TAKEN = 1;
    static final int TOO_FEW = 0;
    static final int CROSSING = -1;

    /**
     * Takes {@code permits} now if they are free: {@link #TAKEN}, {@link #TOO_FEW}, or {@link #CROSSING} when a
     * release across threads is under way (the caller waits for it and tries again). {@code barge}: a fair
     * semaphore lets it past queued threads (as {@code Semaphore.tryAcquire()} does).
     */
    int tryTake(int permits, boolean barge) {
        if (fair && !barge && hasQueuedThreads()) {
            return TOO_FEW;
        }
        while (true) {
            long s = getState();
            if (crossing(s)) {
                return CROSSING;
            }
            if (available(s) < permits) {
                return TOO_FEW;
            }
            if (compareAndSetState(s, s - permits)) {
                return TAKEN;
            }
        }
    }

    /** Takes every free permit now and returns how many; the caller holds off releases across threads. */
    int drain() {
        while (true) {
            long s = getState();
            int available = available(s);
            if (available == 0 || compareAndSetState(s, s - available)) {
                return available;
            }
        }
    }

    /**
     * Gives {@code permits} back if the epoch is still the one of {@code seen} (a state read before the caller
     * checked its slot), waking queued threads. False, with nothing changed, when a release across threads began
     * since.
     */
    boolean giveBack(long seen, int permits) {
        return releaseShared((seen & ~PERMITS) | permits);
    }

    /** Marks a release across threads as begun and returns the state it made; the caller serialises these. */
    long beginCrossing() {
        while (true) {
            long s = getState();
            if (compareAndSetState(s, s + EPOCH)) {
                return s + EPOCH;
            }
        }
    }

    /** Ends the release across threads begun at {@code begun}, giving back the {@code permits} it released. */
    void endCrossing(long begun, int permits) {
        releaseShared((begun & ~PERMITS) | permits);
    }

    @Override
    protected long tryAcquireShared(long permits) {
        if (fair && hasQueuedPredecessors()) {
            return -1;
        }
        while (true) {
            long s = getState();
            if (crossing(s)) {
                return -1; // the crossing release ends with a release that wakes the queue
            }
            long remaining = available(s) - permits;
            if (remaining < 0 || compareAndSetState(s, s - permits)) {
                return remaining;
            }
        }
    }

    /**
     * {@code arg}: the epoch the releasing thread saw (high bits) and the permits (low bits). An odd epoch ends a
     * crossing release; an even one must still be current.
     */
    @Override
    protected boolean tryReleaseShared(long arg) {
        long epoch = arg & ~PERMITS;
        long permits = arg & PERMITS;
        long end = crossing(arg) ? EPOCH : 0;
        while (true) {
            long s = getState();
            if ((s & ~PERMITS) != epoch) {
                return false;
            }
            if (compareAndSetState(s, s + permits + end)) {
                return true;
            }
        }
    }
}
