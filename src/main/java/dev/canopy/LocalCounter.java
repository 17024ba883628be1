package dev.canopy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** One counter as seen from one context: its cell, and the live increments this context holds. */
final class LocalCounter {
    private static final long GIVEN_BACK = Long.MIN_VALUE;
    private static final VarHandle HELD;

    static {
        try {
            HELD = MethodHandles.lookup().findVarHandle(LocalCounter.class, "held", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@code null} when the key cap refused this key. */
    final CounterCell cell;
    volatile long held;

    LocalCounter(CounterCell cell) {
        this.cell = cell;
    }

    boolean hold() {
        long h;
        do {
            h = held;
            if (h == GIVEN_BACK) {
                return false;
            }
        } while (!HELD.compareAndSet(this, h, h + 1));
        return true;
    }

    boolean giveBack() {
        long h;
        do {
            h = held;
            if (h <= 0) {
                return false;
            }
        } while (!HELD.compareAndSet(this, h, h - 1));
        return true;
    }

    /** At the context's end: everything still held, after which nothing can be held again. */
    long giveBackAll() {
        long h = (long) HELD.getAndSet(this, GIVEN_BACK);
        return h == GIVEN_BACK ? 0 : h;
    }
}
