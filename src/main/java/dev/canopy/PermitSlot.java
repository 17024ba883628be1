package dev.canopy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * One thread's permits of a {@link NamedSemaphore}, per context, and the statistics of its holds. A thread nearly
 * always holds for one context at a time, so the first hold is a reused {@link PermitHold} and {@link #more} stays
 * null: acquiring and releasing allocate nothing.
 *
 * <p>Everything here is guarded by the slot's lock word, taken by CAS and released by a release store. The slot's
 * thread takes it on every acquire and release (uncontended: one atomic instead of a monitor's two); other threads
 * take it only to read the holds (status, deadlock detection) or to release a context's permits across threads. No
 * section does more than a few field writes, so a waiter spins briefly and then yields (a holder may have been
 * descheduled). Listeners are never called under the lock: a hold's announcement carries the hold's epoch, so an
 * announcement that lost the race with the hold's end is ended at once instead of being left open.
 */
final class PermitSlot implements HoldStatistics {
    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(PermitSlot.class, "locked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What {@link #releaseHere} returns when this slot does not hold enough of the context's permits. */
    static final Hold NOT_HERE = new Hold(null, null, 0, LockMode.PERMIT, 0);
    /** What {@link #releaseHere} returns when the context still holds permits here. */
    static final Hold STILL_HELD = new Hold(null, null, 0, LockMode.PERMIT, 0);
    /** What {@link #releaseHere} returns when the hold ended and no listener was told of it. */
    static final Hold ENDED = new Hold(null, null, 0, LockMode.PERMIT, 0);

    /** One context's permits held through this slot. */
    private static final class PermitHold {
        /** Null while the hold is empty (only {@link #first} is ever empty: other holds are removed). */
        Context context;
        long sinceNanos;
        /** May be 0 while a cross-thread release is being decided (the hold is kept until then). */
        int permits;
        /**
         * Some of its permits are taken by a release across threads that is still being decided: the owner's own
         * release is refused here until then (it waits its turn in {@link NamedSemaphore}), so the hold the
         * deciding release may give permits back to is never ended under it.
         */
        boolean kept;
        /** Counts starts and ends, so an announcement can tell whether its hold is still the one it announced. */
        int epoch;
        ListenerChain listeners;
        Object attachment;
    }

    /** The thread whose acquisitions this slot records. */
    final Thread owner = Thread.currentThread();
    @SuppressWarnings("unused") // through LOCK
    private volatile int locked;
    private final PermitHold first = new PermitHold();
    private List<PermitHold> more;
    private long acquisitions;
    private long totalHoldNanos;
    private long maxHoldNanos;

    private void lock() {
        if (!LOCK.weakCompareAndSetAcquire(this, 0, 1)) {
            lockContended();
        }
    }

    private void lockContended() {
        int spins = 0;
        while (!LOCK.weakCompareAndSetAcquire(this, 0, 1)) {
            if (++spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    private void unlock() {
        LOCK.setRelease(this, 0);
    }

    @Override
    public long acquisitions() {
        lock();
        try {
            return acquisitions;
        } finally {
            unlock();
        }
    }

    @Override
    public long totalHoldNanos() {
        lock();
        try {
            return totalHoldNanos;
        } finally {
            unlock();
        }
    }

    @Override
    public long maxHoldNanos() {
        lock();
        try {
            return maxHoldNanos;
        } finally {
            unlock();
        }
    }

    /** No hold at all, not even one kept at zero by a release being decided (so a sweep may drop it). */
    boolean holdsNothing() {
        lock();
        try {
            return first.context == null && (more == null || more.isEmpty());
        } finally {
            unlock();
        }
    }

    /**
     * Adds {@code permits} held by {@code context} (called by the slot's thread only) and announces a new hold to
     * {@code listeners} when they want it; a hold that grows keeps its first announcement.
     */
    void add(Context context, long now, int permits, NamedSemaphore semaphore, ListenerChain listeners) {
        PermitHold started = null;
        int epoch = 0;
        lock();
        try {
            acquisitions++;
            PermitHold h = find(context);
            if (h != null) {
                h.permits += permits;
            } else {
                h = first.context == null ? first : newHold();
                h.context = context;
                h.sinceNanos = now;
                h.permits = permits;
                h.kept = false;
                epoch = ++h.epoch;
                started = h;
            }
        } finally {
            unlock();
        }
        if (started != null && listeners.wantsLockHoldNow()) {
            announce(started, epoch, context, semaphore, listeners);
        }
    }

    private PermitHold newHold() {
        if (more == null) {
            more = new ArrayList<>(2);
        }
        PermitHold h = new PermitHold();
        more.add(h);
        return h;
    }

    /** Tells the listeners of a new hold, outside the lock; ends the announcement at once if the hold ended meanwhile. */
    private void announce(PermitHold h, int epoch, Context context, NamedSemaphore semaphore, ListenerChain lc) {
        Object attachment = lc.lockHoldStarted(semaphore, context, LockMode.PERMIT);
        boolean stillHeld;
        lock();
        try {
            stillHeld = h.epoch == epoch;
            if (stillHeld) {
                h.listeners = lc;
                h.attachment = attachment;
            }
        } finally {
            unlock();
        }
        if (!stillHeld) {
            lc.lockHoldEnded(semaphore, context, LockMode.PERMIT, attachment);
        }
    }

    /**
     * The thread's own release when this slot alone holds enough of {@code context}'s permits. Returns
     * {@link #STILL_HELD} when the context holds more here, {@link #NOT_HERE} (nothing changed) when it holds too
     * few here, {@link #ENDED} when its hold ended unheard, or the ended hold, for its listeners to be told.
     */
    Hold releaseHere(Context context, int permits, long now) {
        lock();
        try {
            PermitHold h = find(context);
            if (h == null || h.kept || h.permits < permits) {
                return NOT_HERE;
            }
            h.permits -= permits;
            return h.permits == 0 ? end(h, now) : STILL_HELD;
        } finally {
            unlock();
        }
    }

    /** Permits {@code context} holds here. */
    int heldBy(Context context) {
        lock();
        try {
            PermitHold h = find(context);
            return h == null ? 0 : h.permits;
        } finally {
            unlock();
        }
    }

    /** Takes up to {@code wanted} of {@code context}'s permits, keeping a hold taken to zero; returns how many. */
    int takeKeeping(Context context, int wanted) {
        lock();
        try {
            PermitHold h = find(context);
            if (h == null) {
                return 0;
            }
            int taken = Math.min(h.permits, wanted);
            h.permits -= taken;
            if (taken > 0) {
                h.kept = true;
            }
            return taken;
        } finally {
            unlock();
        }
    }

    /** Undoes {@link #takeKeeping}: the hold is still here, as nothing ends a kept hold meanwhile. */
    void giveBack(Context context, int permits) {
        lock();
        try {
            PermitHold h = find(context);
            h.permits += permits;
            h.kept = false;
        } finally {
            unlock();
        }
    }

    /** Ends {@code context}'s hold if it holds nothing now (it may have grown again meanwhile). */
    void dropIfEmpty(Context context, long now, List<Hold> ended) {
        Hold e = null;
        lock();
        try {
            PermitHold h = find(context);
            if (h != null) {
                h.kept = false;
                if (h.permits == 0) {
                    e = end(h, now);
                }
            }
        } finally {
            unlock();
        }
        if (e != null && e != ENDED) {
            ended.add(e);
        }
    }

    /** Copies of the holds now; one taken to zero by a release still being decided is left out. */
    void collect(List<Hold> out) {
        lock();
        try {
            copyIfHeld(first, out);
            if (more != null) {
                for (PermitHold h : more) {
                    copyIfHeld(h, out);
                }
            }
        } finally {
            unlock();
        }
    }

    private void copyIfHeld(PermitHold h, List<Hold> out) {
        if (h.context != null && h.permits > 0) {
            out.add(new Hold(h.context, owner, h.sinceNanos, LockMode.PERMIT, h.permits));
        }
    }

    /** Finds {@code context}'s hold; the caller holds the lock. */
    private PermitHold find(Context context) {
        if (first.context == context) {
            return first;
        }
        if (more != null) {
            for (PermitHold h : more) {
                if (h.context == context) {
                    return h;
                }
            }
        }
        return null;
    }

    /**
     * Ends a hold taken to zero and counts its time; the caller holds the lock. Returns {@link #ENDED}, or, when
     * listeners were told of the hold, a copy carrying what they attached.
     */
    private Hold end(PermitHold h, long now) {
        long held = Math.max(0, now - h.sinceNanos);
        totalHoldNanos += held;
        if (held > maxHoldNanos) {
            maxHoldNanos = held;
        }
        Hold told = ENDED;
        if (h.listeners != null) {
            told = new Hold(h.context, owner, h.sinceNanos, LockMode.PERMIT, 0);
            told.listeners = h.listeners;
            told.attachment = h.attachment;
            h.listeners = null;
            h.attachment = null;
        }
        h.context = null;
        h.epoch++;
        if (h != first) {
            more.remove(h);
        }
        return told;
    }
}
