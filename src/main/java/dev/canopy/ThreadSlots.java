package dev.canopy;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One reused slot per thread for a lock's bookkeeping (a reader's holds, a thread's permits), so that a thread's
 * acquisitions and releases write only its own slot and the map changes only when a thread uses the lock for the
 * first time. Status and deadlock detection read every slot.
 *
 * <p>Slots of threads that ended holding nothing are dropped when the map has doubled since the last sweep, so a
 * lock used by many short-lived (or virtual) threads does not keep a slot per thread it ever saw, and the sweep's
 * cost per new thread stays constant. A thread that ended while holding keeps its slot: the hold is real, and status
 * shows it.
 */
final class ThreadSlots<S> {
    private static final int FIRST_SWEEP = 64;

    private final ConcurrentHashMap<Thread, S> slots = new ConcurrentHashMap<>();
    private final Supplier<S> newSlot;
    private final Predicate<S> holdsNothing;
    private final Consumer<S> beforeDrop;
    /** The size the map may reach before the next sweep. */
    private volatile int sweepAt = FIRST_SWEEP;

    /**
     * @param holdsNothing whether a slot may be dropped once its thread has ended
     * @param beforeDrop   keeps what must outlive a dropped slot (its statistics)
     */
    ThreadSlots(Supplier<S> newSlot, Predicate<S> holdsNothing, Consumer<S> beforeDrop) {
        this.newSlot = newSlot;
        this.holdsNothing = holdsNothing;
        this.beforeDrop = beforeDrop;
    }

    /** The current thread's slot, or null if it never used the lock. */
    S current() {
        return slots.get(Thread.currentThread());
    }

    /** The current thread's slot, made on its first use. */
    S own() {
        Thread t = Thread.currentThread();
        S slot = slots.get(t);
        if (slot == null) {
            slot = newSlot.get();
            slots.put(t, slot); // only this thread puts its own key
            if (slots.size() >= sweepAt) {
                sweep();
            }
        }
        return slot;
    }

    /** Every slot, for status and statistics (a live view). */
    Collection<S> all() {
        return slots.values();
    }

    int size() {
        return slots.size();
    }

    private synchronized void sweep() {
        if (slots.size() < sweepAt) {
            return; // another thread swept meanwhile
        }
        for (var it = slots.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getKey().isAlive() && holdsNothing.test(e.getValue())) {
                beforeDrop.accept(e.getValue());
                it.remove();
            }
        }
        sweepAt = Math.max(FIRST_SWEEP, slots.size() * 2);
    }
}
