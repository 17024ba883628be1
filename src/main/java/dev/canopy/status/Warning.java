package dev.canopy.status;

import java.time.Duration;

/**
 * A problem seen at the moment warnings were computed; it clears by itself once the situation does.
 *
 * @param kind        what the warning is about
 * @param contextPath the context concerned
 * @param lockName    the lock concerned, or {@code null}
 * @param duration    how long the situation has lasted; for a {@link WarningKind#DEADLOCK}, since its youngest wait
 *                    began (zero for a cycle the JVM found through monitors or JDK locks, whose waits have no
 *                    known start)
 */
public record Warning(Severity severity, WarningKind kind, String message, String contextPath, String lockName,
                      Duration duration) {
}
