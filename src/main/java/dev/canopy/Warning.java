package dev.canopy;

import java.time.Duration;

/**
 * A problem seen at the moment warnings were computed; it clears by itself once the situation does.
 *
 * @param kind        a stable identifier: {@code LONG_HELD}, {@code STUCK_WAITER}, {@code DEADLOCK},
 *                    {@code CANCELLED_STILL_RUNNING}, {@code PAST_DEADLINE}, {@code LONG_OPERATION}, {@code IDLE}
 * @param contextPath the context concerned
 * @param lockName    the lock concerned, or {@code null}
 * @param duration    how long the situation has lasted
 */
public record Warning(Severity severity, String kind, String message, String contextPath, String lockName,
                      Duration duration) {
}
