package dev.canopy.status;

import dev.canopy.LockKind;
import dev.canopy.LockMode;

import java.time.Duration;
import java.time.Instant;

/**
 * Who holds a named lock, at the moment the snapshot was taken.
 *
 * @param count      reentrant holds (mutex, read and write locks) or permits (semaphore)
 * @param thread     the thread that acquired it, as {@code name#id}: names repeat, and virtual threads usually have
 *                   none ({@code unnamed#id}); the id is the one thread dumps show ({@code jcmd <pid> Thread.print},
 *                   and {@code Thread.dump_to_file} for virtual threads)
 */
public record LockHolder(String lockName, LockKind kind, LockMode mode, long contextId, String contextPath,
                         String thread, int count, Instant since, Duration held) {
}
