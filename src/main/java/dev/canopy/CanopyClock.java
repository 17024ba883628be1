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

    /**
     * The monotonic clock at about millisecond resolution, for timings that status shows and statistics sum (how
     * long a named lock is held, when a context was created and ended): never ahead of {@link #nanoTime()}, and much cheaper to read on the real clock.
     * The default is {@link #nanoTime()}, so a fake clock stays exact.
     */
    default long coarseNanoTime() {
        return nanoTime();
    }

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

    @Override
    public long coarseNanoTime() {
        return CoarseClock.SYSTEM.nanoTime();
    }
}
