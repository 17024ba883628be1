package dev.canopy;

import java.time.Instant;
import java.util.Objects;

/**
 * Why and by whom a context was cancelled. One instance is shared by the whole subtree a cancel reached.
 *
 * @param reason        the reason given to {@link Context#cancel(String)}, or a generated one (deadline, shutdown)
 * @param initiatorPath the path of the context {@code cancel} was called on (an ancestor, or the context itself)
 * @param cancelledAt   when the cancel started, by the tree's clock
 */
public record Cancellation(String reason, String initiatorPath, Instant cancelledAt) {
    public Cancellation {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(initiatorPath, "initiatorPath");
        Objects.requireNonNull(cancelledAt, "cancelledAt");
    }
}
