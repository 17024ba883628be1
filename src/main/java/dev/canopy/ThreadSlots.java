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
 * <p>Slots of threads that ended holding nothing are dropped whenever the lock's holders are listed (status, JMX and
 * the deadlock watchdog do that in the background), so an ended thread is not kept reachable by a lock it once
 * used; and when the map has doubled since the last sweep, so a lock used by many short-lived (or virtual) threads
 * between two listings does not keep a slot per thread it saw, with the sweep's cost per new thread constant. A
 * thread that ended while holding keeps its slot: the hold is real, and status shows it.
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
                sweepAt = Math.max(FIRST_SWEEP, slots.size() * 2);
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

    /**
     * Drops the slots of ended threads that hold nothing and hands their statistics over. The map's own
     * {@code remove(key, value)} decides which of two concurrent sweeps drops a slot, so each is handed over once.
     */
    void sweep() {
        for (var e : slots.entrySet()) {
            if (!e.getKey().isAlive() && holdsNothing.test(e.getValue()) && slots.remove(e.getKey(), e.getValue())) {
                beforeDrop.accept(e.getValue());
            }
        }
    }
}
