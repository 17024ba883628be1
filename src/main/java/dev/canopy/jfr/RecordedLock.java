package dev.canopy.jfr;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * One named-lock wait or hold a recording saw ({@code dev.canopy.LockWait} or {@code dev.canopy.LockHold}). Both are
 * committed when they end, so a recording holds only waits and holds that ended while it ran, and only those longer
 * than the template's threshold.
 *
 * @param contextId the waiting or holding context
 * @param thread    the thread that waited or held, as {@code name#id}
 * @param holders   for a wait: the paths of the contexts that held the lock when the wait began, {@code ", "}
 *                  between them (empty for a hold, or when nobody held it)
 * @param acquired  for a wait: whether it ended with the lock; always true for a hold
 */
public record RecordedLock(Kind kind, String lockName, String lockKind, String mode, int permits, long contextId,
                           String path, String thread, Instant start, Instant end, String holders, boolean acquired) {

    public enum Kind { WAIT, HOLD }

    public Duration duration() {
        return Duration.between(start, end);
    }

    /** Whether it was in progress at {@code t}: from its start, up to but not including its end. */
    public boolean inProgressAt(Instant t) {
        return !t.isBefore(start) && t.isBefore(end);
    }

    /** For a wait: the paths of the holders when it began. */
    public List<String> holderPaths() {
        return holders == null || holders.isEmpty() ? List.of() : Arrays.asList(holders.split(", "));
    }
}
