package dev.canopy;

import java.time.Duration;
import java.util.Objects;

/**
 * When a situation becomes a {@link Warning}. Deadlocks are always {@link Severity#CRITICAL}.
 *
 * @param lockHeld              a lock held longer than this: LONG_HELD (warning)
 * @param lockWait              a waiter waiting longer than this: STUCK_WAITER (warning)
 * @param cancelledStillRunning a context cancelled this long ago that has not ended: CANCELLED_STILL_RUNNING (warning)
 * @param pastDeadline          a context alive this long after its deadline: PAST_DEADLINE (warning)
 * @param operation             an operation running longer than this: LONG_OPERATION (warning)
 * @param idle                  a context without activity for this long: IDLE (info)
 */
public record WarningThresholds(Duration lockHeld, Duration lockWait, Duration cancelledStillRunning,
                                Duration pastDeadline, Duration operation, Duration idle) {
    public WarningThresholds {
        check("lockHeld", lockHeld);
        check("lockWait", lockWait);
        check("cancelledStillRunning", cancelledStillRunning);
        check("pastDeadline", pastDeadline);
        check("operation", operation);
        check("idle", idle);
    }

    /** 10 s held, 5 s waiting, 5 s cancelled, 1 s past deadline, 30 s operation, 5 min idle. */
    public static WarningThresholds defaults() {
        return new WarningThresholds(Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(5));
    }

    private static void check(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " threshold must not be negative: " + d);
        }
    }
}
