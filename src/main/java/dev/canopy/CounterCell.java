package dev.canopy;

import dev.canopy.status.CounterWindows;

import java.util.concurrent.atomic.LongAdder;

/**
 * One counter key: striped adders for the hot path, and rings of cumulative samples taken at bucket boundaries
 * for the windows. Samples are only touched by the sampler and by readers, under this cell's monitor.
 */
final class CounterCell {
    private static final long SECOND = 1_000_000_000L;

    final String path;
    final String counter;
    final String key;
    final LongAdder total = new LongAdder();
    final LongAdder live = new LongAdder();
    /**
     * Whether {@code incrementLive} was ever called for this key: a key counted only as a total has no live count to
     * show, and monitoring should not get a series of zeros for it. Written once, read on every live increment.
     */
    volatile boolean countsLive;

    // cumulative totals at the start of each second / minute / hour, indexed modulo the ring length
    private final long[] seconds = new long[61];
    private final long[] minutes = new long[61];
    private final long[] hours = new long[25];
    private final long createdSecond;
    private long sampledSecond;

    CounterCell(String path, String counter, long nowSecond) {
        this.path = path;
        this.counter = counter;
        this.key = path + '.' + counter;
        this.createdSecond = nowSecond;
        this.sampledSecond = nowSecond;
    }

    /** Marks the key as a live counter; the read keeps the line unwritten after the first time. */
    void markLive() {
        if (!countsLive) {
            countsLive = true;
        }
    }

    String liveKey() {
        return path + ".live_" + counter;
    }

    long totalNow() {
        return total.sum();
    }

    /** Never negative: a decrement may be seen before the increment it undoes. */
    long liveNow() {
        return Math.max(0, live.sum());
    }

    static long secondOf(long nanosSinceStart) {
        return Math.floorDiv(nanosSinceStart, SECOND);
    }

    /** Records the cumulative total at every boundary passed since the last sample. */
    synchronized void sampleUpTo(long second) {
        if (second <= sampledSecond) {
            return;
        }
        long cumulative = total.sum();
        fill(seconds, sampledSecond, second, cumulative);
        fill(minutes, Math.floorDiv(sampledSecond, 60), Math.floorDiv(second, 60), cumulative);
        fill(hours, Math.floorDiv(sampledSecond, 3600), Math.floorDiv(second, 3600), cumulative);
        sampledSecond = second;
    }

    private static void fill(long[] ring, long lastIndex, long newIndex, long cumulative) {
        for (long i = Math.max(lastIndex + 1, newIndex - ring.length + 1); i <= newIndex; i++) {
            ring[(int) Math.floorMod(i, ring.length)] = cumulative;
        }
    }

    synchronized CounterWindows windows(long nowSecond) {
        sampleUpTo(nowSecond);
        long now = total.sum();
        long minute = Math.floorDiv(nowSecond, 60);
        long hour = Math.floorDiv(nowSecond, 3600);
        long lastMinute = now - sample(seconds, nowSecond - 60, createdSecond);
        long covered = Math.max(1, Math.min(60, nowSecond - createdSecond));
        return new CounterWindows(
                now - sample(seconds, nowSecond - 1, createdSecond),
                lastMinute,
                now - sample(minutes, minute - 60, Math.floorDiv(createdSecond, 60)),
                now - sample(hours, hour - 24, Math.floorDiv(createdSecond, 3600)),
                now,
                (double) lastMinute / covered);
    }

    private static long sample(long[] ring, long index, long createdIndex) {
        // before the counter existed its total was zero
        return index <= createdIndex ? 0 : ring[(int) Math.floorMod(index, ring.length)];
    }
}
