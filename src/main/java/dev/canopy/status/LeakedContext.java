package dev.canopy.status;

import java.time.Duration;
import java.time.Instant;

/**
 * A context that was opened and never closed, then garbage-collected while still active: its owner lost it.
 *
 * @param age      how long it had existed when the collection was noticed
 * @param openedAt where it was opened, when creation-site capture sampled it
 *                 ({@link ContextTree.Builder#captureCreationSites(double)}); {@code null} otherwise
 */
public record LeakedContext(long id, String path, Instant createdAt, Instant detectedAt, Duration age,
                            String openedAt) {
}
