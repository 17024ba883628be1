package dev.canopy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.List;

/**
 * One thread's permits of a {@link NamedSemaphore}, per context, and the statistics of its holds. A thread nearly
 * always holds for one context at a time, so the first hold is a reused {@link PermitHold} and {@link #more} stays
 * empty: acquiring and releasing allocate nothing.
 *
 * <p>Two kinds of writer, never at once, and no atomic of the slot's own:
 * <ul>
 * <li>The slot's thread, on its own acquisitions and releases. It marks its sequence number odd, then moves the
 * semaphore's state by the CAS the acquisition or release needs anyway, which fails while a release across threads
 * is under way ({@link PermitSync}); only after that CAS succeeded does it write the slot, and then marks the
 * number even again. A failed CAS writes nothing here: the thread takes the semaphore's slow path.</li>
 * <li>A release across threads, which takes a context's permits from the slots of other threads. It runs under the
 * semaphore's monitor with the state's epoch odd, so no thread's CAS succeeds meanwhile, and waits for each slot's
 * number to be even before it reads the slot: an acquisition or release whose CAS came first has then finished
 * writing. It marks its own sequence number odd while it writes.</li>
 * </ul>
 * The slot's thread also writes under the monitor, when it takes the slow path. Other threads (status, deadlock
 * detection, sweeps) read under the two numbers: what they read is one state of the slot when both numbers were
 * even and unchanged around the reads. The statistics are single values read on their own.
 */
final class PermitSlot implements HoldStatistics {
    private static final VarHandle OWNER_SEQ;
    private static final VarHandle CROSS_SEQ;
    private static final VarHandle ACQUISITIONS;
    private static final VarHandle TOTAL_HOLD;
    private static final VarHandle MAX_HOLD;
    private static final PermitHold[] NONE = {};

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            OWNER_SEQ = l.findVarHandle(PermitSlot.class, "ownerSeq", int.class);
            CROSS_SEQ = l.findVarHandle(PermitSlot.class, "crossSeq", int.class);
            ACQUISITIONS = l.findVarHandle(PermitSlot.class, "acquisitions", long.class);
            TOTAL_HOLD = l.findVarHandle(PermitSlot.class, "totalHoldNanos", long.class);
            MAX_HOLD = l.findVarHandle(PermitSlot.class, "maxHoldNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What {@link #acquireOwn} returns when the acquisition grew a hold the context had here already. */
    static final long GREW = -1;
    /** What {@link #acquireOwn} returns when too few permits were free: nothing changed. */
    static final long TOO_FEW = -2;
    /** What {@link #acquireOwn} returns when a release across threads is under way: nothing changed. */
    static final long CROSSING = -3;

    /** What {@link #releaseOwn} returns when the slot's thread must take the slow path: nothing changed. */
    static final Hold SLOW = new Hold(null, null, 0, LockMode.PERMIT, 0);
    /** What {@link #releaseOwn} returns when the context still holds permits here. */
    static final Hold STILL_HELD = new Hold(null, null, 0, LockMode.PERMIT, 0);
    /** What the releases return when the hold ended and no listener was told of it. */
    static final Hold ENDED = new Hold(null, null, 0, LockMode.PERMIT, 0);
    /**
     * What {@link #releaseOwn} returns when the hold ended and listeners were told of it: the slot keeps them and
     * their attachment until {@link #tellEnded} tells them, so ending a hold allocates no copy of it.
     */
    static final Hold TOLD = new Hold(null, null, 0, LockMode.PERMIT, 0);

    /** One context's permits held through this slot. */
    private static final class PermitHold {
        /** Null while the hold is empty (only {@link #first} is ever empty: other holds are removed). */
        Context context;
        long sinceNanos;
        int permits;
        /**
         * The slot's acquisition that began the hold (its number in {@link #acquisitions}), so an announcement can
         * tell whether its hold is still the one it announced.
         */
        long startedBy;
        ListenerChain listeners;
        Object attachment;
    }

    /** The thread whose acquisitions this slot records. */
    final Thread owner = Thread.currentThread();
    /** Odd while the slot's thread writes the slot (or is about to, once its CAS succeeds). */
    @SuppressWarnings("unused") // through OWNER_SEQ
    private int ownerSeq;
    /** Odd while a release across threads writes the slot. */
    @SuppressWarnings("unused") // through CROSS_SEQ
    private int crossSeq;
    private final PermitHold first = new PermitHold();
    /** Holds of further contexts, rare: replaced, never changed, so a reader never sees it half changed. */
    private PermitHold[] more = NONE;
    private long acquisitions;
    private long totalHoldNanos;
    private long maxHoldNanos;
    /**
     * The listeners of the hold the slot's thread just ended on its own, and their attachment: written and read by
     * that thread only, between {@link #releaseOwn} returning {@link #TOLD} and {@link #tellEnded}.
     */
    private ListenerChain endedListeners;
    private Object endedAttachment;

    @Override
    public long acquisitions() {
        return (long) ACQUISITIONS.getOpaque(this);
    }

    @Override
    public long totalHoldNanos() {
        return (long) TOTAL_HOLD.getOpaque(this);
    }

    @Override
    public long maxHoldNanos() {
        return (long) MAX_HOLD.getOpaque(this);
    }

    // ------------------------------------------------------------------ the slot's thread, lock-free

    private void ownerBegin() {
        OWNER_SEQ.setOpaque(this, ownerSeq + 1);
        VarHandle.storeStoreFence(); // the odd number before anything written after it
    }

    private void ownerEnd() {
        OWNER_SEQ.setRelease(this, ownerSeq + 1);
    }

    /**
     * The slot's thread takes {@code permits} from {@code sync} and records them for {@code context}. Returns the
     * number of the acquisition when it began a new hold (always positive: the hold's listeners are to be told),
     * {@link #GREW} when it grew the context's hold here, or {@link #TOO_FEW} or {@link #CROSSING} with nothing
     * changed.
     */
    long acquireOwn(PermitSync sync, Context context, int permits, long now, boolean barge) {
        ownerBegin();
        try {
            int taken = sync.tryTake(permits, barge);
            return taken == PermitSync.TAKEN ? add(context, permits, now)
                    : taken == PermitSync.CROSSING ? CROSSING : TOO_FEW;
        } finally {
            ownerEnd(); // even if a hold of a second context could not be allocated: readers must not wait forever
        }
    }

    /**
     * The slot's thread records {@code permits} it took on the slow path, where the semaphore's monitor holds off
     * releases across threads; returns as {@link #acquireOwn} does when it took them.
     */
    long acquiredSlow(Context context, int permits, long now) {
        ownerBegin();
        try {
            return add(context, permits, now);
        } finally {
            ownerEnd();
        }
    }

    private long add(Context context, int permits, long now) {
        long number = acquisitions + 1;
        ACQUISITIONS.setOpaque(this, number);
        PermitHold h = find(context);
        if (h != null) {
            h.permits += permits;
            return GREW;
        }
        h = first.context == null ? first : newHold();
        h.context = context;
        h.sinceNanos = now;
        h.permits = permits;
        h.startedBy = number;
        return number;
    }

    private PermitHold newHold() {
        PermitHold h = new PermitHold();
        PermitHold[] grown = Arrays.copyOf(more, more.length + 1);
        grown[more.length] = h;
        more = grown;
        return h;
    }

    /**
     * The slot's thread gives back {@code permits} of {@code context}'s that this slot holds: {@link #STILL_HELD},
     * {@link #ENDED}, or {@link #TOLD} when the hold ended and its listeners are to be told ({@link #tellEnded});
     * {@link #SLOW}, nothing changed, when the slot holds too few of them or a release across threads began.
     */
    Hold releaseOwn(PermitSync sync, Context context, int permits, long now) {
        ownerBegin();
        try {
            long seen = sync.state();
            if (!PermitSync.crossing(seen)) {
                PermitHold h = find(context); // the epoch seen is even: what we read is what the last release left
                if (h != null && h.permits >= permits && sync.giveBack(seen, permits)) {
                    h.permits -= permits;
                    return h.permits == 0 ? endOwn(h, now) : STILL_HELD;
                }
            }
            return SLOW;
        } finally {
            ownerEnd();
        }
    }

    /**
     * Keeps what the listeners attached to a new hold, under the semaphore's monitor (so no release across threads
     * ends it meanwhile); false when the hold that acquisition {@code startedBy} began has ended already, whoever
     * ended it.
     */
    boolean attach(Context context, long startedBy, ListenerChain listeners, Object attachment) {
        PermitHold h = find(context);
        if (h == null || h.startedBy != startedBy) {
            return false;
        }
        h.listeners = listeners;
        h.attachment = attachment;
        return true;
    }

    // ------------------------------------------------------------------ releases across threads (under the monitor)

    /** Waits until the slot's thread is not between its odd number and its even one (a few stores at most). */
    void awaitOwnerQuiet() {
        for (int spins = 0; ((int) OWNER_SEQ.getAcquire(this) & 1) != 0; spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // the slot's thread was descheduled mid-write
            }
        }
    }

    /** Permits {@code context} holds here; for a release across threads, after {@link #awaitOwnerQuiet()}. */
    int heldByQuiet(Context context) {
        PermitHold h = find(context);
        return h == null ? 0 : h.permits;
    }

    /**
     * Takes up to {@code wanted} of {@code context}'s permits, for a release across threads after
     * {@link #awaitOwnerQuiet()}; a hold taken to zero ends (its listeners' copy, if any, is added to
     * {@code ended}). Returns how many were taken.
     */
    int take(Context context, int wanted, long now, List<Hold> ended) {
        PermitHold h = find(context);
        if (h == null || wanted == 0) {
            return 0;
        }
        int taken = Math.min(h.permits, wanted);
        CROSS_SEQ.setOpaque(this, crossSeq + 1);
        VarHandle.storeStoreFence();
        try {
            h.permits -= taken;
            if (h.permits == 0) {
                Hold e = end(h, now);
                if (e != ENDED) {
                    ended.add(e);
                }
            }
        } finally {
            CROSS_SEQ.setRelease(this, crossSeq + 1);
        }
        return taken;
    }

    // ------------------------------------------------------------------ readers

    /** Reads under both numbers until a read saw no writer; {@code read} must only read (and may be repeated). */
    private <T> T readConsistent(java.util.function.Function<PermitSlot, T> read) {
        for (int spins = 0; ; spins++) {
            int o = (int) OWNER_SEQ.getAcquire(this);
            int c = (int) CROSS_SEQ.getAcquire(this);
            if (((o | c) & 1) == 0) {
                T value = read.apply(this);
                VarHandle.loadLoadFence();
                if ((int) OWNER_SEQ.getOpaque(this) == o && (int) CROSS_SEQ.getOpaque(this) == c) {
                    return value;
                }
            }
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** No hold at all (so a sweep may drop the slot of an ended thread). */
    boolean holdsNothing() {
        return readConsistent(s -> s.first.context == null && s.more.length == 0);
    }

    /** Permits {@code context} holds here, as another thread sees it now. */
    int heldBy(Context context) {
        return readConsistent(s -> s.heldByQuiet(context));
    }

    /** Copies of the holds now. */
    void collect(List<Hold> out) {
        out.addAll(readConsistent(s -> {
            PermitHold[] others = s.more;
            Hold[] copies = new Hold[others.length + 1];
            int n = 0;
            n = s.copyIfHeld(s.first, copies, n);
            for (PermitHold h : others) {
                n = s.copyIfHeld(h, copies, n);
            }
            return List.of(Arrays.copyOf(copies, n));
        }));
    }

    private int copyIfHeld(PermitHold h, Hold[] out, int n) {
        Context context = h.context;
        int permits = h.permits;
        if (context != null && permits > 0) {
            out[n++] = new Hold(context, owner, h.sinceNanos, LockMode.PERMIT, permits);
        }
        return n;
    }

    // ------------------------------------------------------------------ shared by both writers

    /** Finds {@code context}'s hold. */
    private PermitHold find(Context context) {
        if (first.context == context) {
            return first;
        }
        for (PermitHold h : more) {
            if (h.context == context) {
                return h;
            }
        }
        return null;
    }

    /**
     * Ends a hold taken to zero, for a release across threads, and counts its time. Returns {@link #ENDED}, or, when
     * listeners were told of the hold, a copy carrying what they attached.
     */
    private Hold end(PermitHold h, long now) {
        Hold told = h.listeners == null ? ENDED : takeTold(h);
        forget(h, now);
        return told;
    }

    /**
     * Ends a hold taken to zero by the slot's own thread, and counts its time. Returns {@link #ENDED}, or
     * {@link #TOLD} with the listeners and their attachment kept for {@link #tellEnded}.
     */
    private Hold endOwn(PermitHold h, long now) {
        Hold told = ENDED;
        if (h.listeners != null) {
            endedListeners = h.listeners;
            endedAttachment = h.attachment;
            h.listeners = null;
            h.attachment = null;
            told = TOLD;
        }
        forget(h, now);
        return told;
    }

    /** Counts an ended hold's time and empties it (drops it when it is not the first). */
    private void forget(PermitHold h, long now) {
        long held = Math.max(0, now - h.sinceNanos);
        TOTAL_HOLD.setOpaque(this, totalHoldNanos + held);
        if (held > maxHoldNanos) {
            MAX_HOLD.setOpaque(this, held);
        }
        h.context = null;
        if (h != first) {
            drop(h);
        }
    }

    /**
     * The slot's thread tells the listeners that its hold for {@code context} ended, after {@link #releaseOwn}
     * returned {@link #TOLD}; outside the slot's writing, as listeners may take their time.
     */
    void tellEnded(NamedSemaphore semaphore, Context context) {
        ListenerChain lc = endedListeners;
        Object attachment = endedAttachment;
        endedListeners = null;
        endedAttachment = null;
        lc.lockHoldEnded(semaphore, context, LockMode.PERMIT, attachment);
    }

    /** A copy of a hold its listeners were told of, carrying what they attached; the hold keeps neither. */
    private Hold takeTold(PermitHold h) {
        Hold told = new Hold(h.context, owner, h.sinceNanos, LockMode.PERMIT, 0);
        told.listeners = h.listeners;
        told.attachment = h.attachment;
        h.listeners = null;
        h.attachment = null;
        return told;
    }

    private void drop(PermitHold h) {
        PermitHold[] left = new PermitHold[more.length - 1];
        int n = 0;
        for (PermitHold m : more) {
            if (m != h) {
                left[n++] = m;
            }
        }
        more = left;
    }
}
