package dev.canopy.status;

import dev.canopy.LockKind;
import dev.canopy.LockMode;

import java.time.Duration;
import java.time.Instant;

/**
 * Who waits for a named lock, at the moment the snapshot was taken.
 *
 * @param thread  the waiting thread, as {@code name#id} (see {@link LockHolder})
 * @param permits the permits asked for (1 for mutexes and read/write locks)
 */
public record LockWaiter(String lockName, LockKind kind, LockMode mode, long contextId, String contextPath,
                         String thread, int permits, Instant since, Duration waiting) {
}
