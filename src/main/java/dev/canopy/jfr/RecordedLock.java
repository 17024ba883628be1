package dev.canopy.jfr;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * One named-lock wait or hold a recording saw. Waits and holds that ended while it ran come from
 * {@code dev.canopy.LockWait} and {@code dev.canopy.LockHold}, which are committed when they end and only over the
 * template's threshold. Those in progress at a chunk boundary (the recording's start, its stop, a dump) come from
 * {@code dev.canopy.LockWaitInProgress} and {@code dev.canopy.LockHoldInProgress}, whatever their length: a lock
 * still held when the recording stopped is there, with {@link #stillInProgress()} true.
 *
 * @param contextId       the waiting or holding context
 * @param permits         for a wait: the permits asked for; for a hold seen in progress: its reentrant holds or
 *                        permits; 0 for a hold that ended
 * @param thread          the thread that waited or held: {@code name#id} for one that ended, the thread's name for
 *                        one seen in progress
 * @param start           when it began; for one seen in progress, by the tree's clock (ticks of about a
 *                        millisecond), and possibly before the recording started
 * @param end             when it ended; for one seen in progress, the last chunk boundary that saw it: the
 *                        recording's end when that was the recording's stop (or the dump the file came from)
 * @param holders         for a wait: the paths of the contexts that held the lock when the wait began, or, for one
 *                        seen in progress, when it was last seen; {@code ", "} between them (empty for a hold, or
 *                        when nobody held it)
 * @param acquired        for a wait: whether it ended with the lock (false while in progress); always true for a hold
 * @param stillInProgress seen in progress at a chunk boundary and not seen to end: it may have gone on after
 *                        {@link #end()}, unrecorded (under the threshold, or after the recording)
 */
public record RecordedLock(Kind kind, String lockName, String lockKind, String mode, int permits, long contextId,
                           String path, String thread, Instant start, Instant end, String holders, boolean acquired,
                           boolean stillInProgress) {

    public enum Kind { WAIT, HOLD }

    public Duration duration() {
        return Duration.between(start, end);
    }

    /**
     * Whether it was in progress at {@code t}: from its start, up to but not including its end; for one still in
     * progress, up to and including the last moment it was seen.
     */
    public boolean inProgressAt(Instant t) {
        return !t.isBefore(start) && (t.isBefore(end) || stillInProgress && t.equals(end));
    }

    /** For a wait: the paths of the holders when it began (or when it was last seen in progress). */
    public List<String> holderPaths() {
        return holders == null || holders.isEmpty() ? List.of() : Arrays.asList(holders.split(", "));
    }
}
