package dev.canopy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoarseClockTest {
    private static final long TIMEOUT_NANOS = 10_000_000_000L;

    @Test
    void readingsNeverRunAheadOfNanoTimeNorGoBackAndTheyAdvance() {
        CoarseClock clock = new CoarseClock(CoarseClock.IDLE_TICKS);
        long first = clock.nanoTime();
        long previous = first;
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (previous - first < 5 * CoarseClock.TICK_NANOS) {
            long reading = clock.nanoTime();
            long precise = System.nanoTime();
            assertTrue(reading <= precise, () -> "coarse reading " + reading + " ahead of nanoTime " + precise);
            long last = previous;
            assertTrue(reading >= last, () -> "coarse clock went back from " + last + " to " + reading);
            previous = reading;
            assertTrue(System.nanoTime() < deadline, "the coarse clock did not advance 5 ms within 10 s");
            Thread.onSpinWait();
        }
    }

    @Test
    void stopsTickingWhenNobodyReadsAndResumesOnTheNextRead() {
        CoarseClock clock = new CoarseClock(20);
        clock.nanoTime();
        assertTrue(clock.isTicking());
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (clock.isTicking()) {
            assertTrue(System.nanoTime() < deadline, "still ticking 10 s after the last read");
            java.util.concurrent.locks.LockSupport.parkNanos(CoarseClock.TICK_NANOS);
        }
        long before = System.nanoTime();
        long reading = clock.nanoTime();
        assertTrue(reading >= before, "the first read after idling must be fresh, not the stale last tick");
        assertTrue(clock.isTicking());
        assertFalse(reading > System.nanoTime());
    }
}
