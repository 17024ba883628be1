package dev.canopy;

/**
 * The time source of a {@link ContextTree}: a monotonic clock for durations and a wall clock for timestamps.
 * Tests inject a fake one ({@link ContextTree.Builder#clock(CanopyClock)}) to check timing without waiting.
 */
public interface CanopyClock {
    /** Monotonic nanoseconds, as {@link System#nanoTime()}: only differences are meaningful. */
    long nanoTime();

    /** Wall-clock milliseconds since the epoch, as {@link System#currentTimeMillis()}. */
    long currentTimeMillis();

    /** The real clock. */
    static CanopyClock system() {
        return SystemClock.INSTANCE;
    }
}

enum SystemClock implements CanopyClock {
    INSTANCE;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public long currentTimeMillis() {
        return System.currentTimeMillis();
    }
}
