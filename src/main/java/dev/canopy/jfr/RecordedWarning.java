package dev.canopy.jfr;

import java.time.Duration;
import java.time.Instant;

/**
 * A warning a recording saw in effect at a chunk boundary ({@code dev.canopy.Warning}), as status showed it then.
 *
 * @param time          the chunk boundary
 * @param severity      {@code INFO}, {@code WARNING} or {@code CRITICAL}
 * @param kind          a {@link dev.canopy.status.WarningKind} name (severity, kind and message are {@code (lost)} where
 *                      the recording lost the string)
 * @param path          the context concerned
 * @param lockName      the lock concerned, or {@code null}
 * @param lasted        how long the situation had lasted by then
 * @param whenStopped   seen as the recording stopped (or as the dump the file came from was taken)
 */
public record RecordedWarning(Instant time, String severity, String kind, String message, String path,
                              String lockName, Duration lasted, boolean whenStopped) {
}
