package dev.canopy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link System#nanoTime()} at millisecond resolution for the cost of one volatile read: a daemon thread publishes
 * the clock every millisecond while anyone reads it.
 *
 * <p>Why: a {@code nanoTime()} read costs about 20-25 ns here, more than an uncontended {@code ReentrantLock}
 * lock/unlock. Lock holds are timed for status ("held for 3.2 s") and statistics (total and longest hold), where a
 * millisecond is plenty; the difference of two coarse readings is still an unbiased estimate of a short hold, so
 * totals stay right on average.
 *
 * <p>Idle cost: after {@link #IDLE_TICKS} ticks nobody read, the thread parks until the next read, so an idle JVM
 * sees no wake-ups. A reading is never ahead of {@code System.nanoTime()} and never goes backwards.
 */
final class CoarseClock {
    static final long TICK_NANOS = 1_000_000;
    /** One second of ticks without a read stops the ticking. */
    static final int IDLE_TICKS = 1_000;

    private static final VarHandle NOW;
    private static final VarHandle READ;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            NOW = l.findVarHandle(CoarseClock.class, "now", long.class);
            READ = l.findVarHandle(CoarseClock.class, "read", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The one the system clock reads. */
    static final CoarseClock SYSTEM = new CoarseClock(IDLE_TICKS);

    /** The last published reading. */
    @SuppressWarnings("unused") // through NOW
    private volatile long now = System.nanoTime();
    /** Whether the ticker publishes; readers that see false publish and wake it. */
    private volatile boolean ticking;
    /** Set by a reader when the ticker has cleared it: how the ticker knows it is still wanted. */
    @SuppressWarnings("unused") // through READ
    private volatile boolean read;
    private final int idleTicks;
    private Thread ticker;

    CoarseClock(int idleTicks) {
        this.idleTicks = idleTicks;
    }

    long nanoTime() {
        if (!ticking) {
            return wake();
        }
        if (!(boolean) READ.getOpaque(this)) {
            READ.setOpaque(this, true); // at most once per tick across all readers
        }
        return (long) NOW.getVolatile(this);
    }

    /** Whether the ticker is publishing (it stops after {@code idleTicks} ticks nobody read). */
    boolean isTicking() {
        return ticking;
    }

    private synchronized long wake() {
        publish(System.nanoTime());
        READ.setOpaque(this, true);
        if (!ticking) {
            ticking = true;
            if (ticker == null) {
                ticker = new Thread(this::tick, "canopy-coarse-clock");
                ticker.setDaemon(true);
                ticker.start();
            } else {
                LockSupport.unpark(ticker);
            }
        }
        return (long) NOW.getVolatile(this);
    }

    /** Raises the published reading to {@code t}; never lowers it (the ticker and a waking reader may race). */
    private void publish(long t) {
        long cur;
        while (t > (cur = (long) NOW.getVolatile(this)) && !NOW.compareAndSet(this, cur, t)) {
            Thread.onSpinWait();
        }
    }

    private void tick() {
        int unread = 0;
        while (true) {
            LockSupport.parkNanos(TICK_NANOS);
            publish(System.nanoTime());
            if ((boolean) READ.getOpaque(this)) {
                READ.setOpaque(this, false);
                unread = 0;
            } else if (++unread >= idleTicks && stop()) {
                while (!ticking) {
                    LockSupport.park(this);
                }
                unread = 0;
            }
        }
    }

    /** Stops ticking unless a reader came meanwhile; the next reader publishes and wakes the ticker. */
    private synchronized boolean stop() {
        if ((boolean) READ.getOpaque(this)) {
            return false;
        }
        ticking = false;
        return true;
    }
}
