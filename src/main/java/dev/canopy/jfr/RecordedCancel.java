package dev.canopy.jfr;

import java.time.Instant;

/**
 * A cancel a recording saw ({@code dev.canopy.ContextCancel}): one per {@code cancel()} call, on the context it was
 * called on; it reached that context's whole subtree.
 *
 * @param subtreeSize how many contexts this cancel newly cancelled
 */
public record RecordedCancel(Instant time, long contextId, String path, String reason, String initiatorPath,
                             int subtreeSize, String thread) {
}
