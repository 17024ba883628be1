package dev.canopy.status;

import dev.canopy.Cancellation;
import dev.canopy.ContextState;
import dev.canopy.MetricValue;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One context in a {@link Status} snapshot, with its live children. Immutable.
 *
 * @param deadline           the effective deadline, or {@code null}
 * @param timeLeft           time until the deadline (zero once passed), or {@code null}
 * @param cancellation       why it was cancelled, or {@code null}
 * @param ended              true for a context that has ended (its {@code state} says how) but still waits for
 *                           children or tasks to finish
 * @param totals             total counters at exactly this path, by counter name
 * @param live               live counters at exactly this path, by counter name
 * @param omittedDescendants descendants left out because the tree was deeper than the snapshot's depth limit
 */
public record ContextStatus(long id, String name, String path, ContextState state, boolean ended, Instant createdAt,
                            Duration duration, Duration idle, Instant deadline, Duration timeLeft,
                            Cancellation cancellation, List<OperationInfo> operations, @JsonSerialize(contentUsing = RawJson.Writer.class) @JsonDeserialize(contentUsing = RawJson.Reader.class)
                            Map<String, String> data,
                            Map<String, MetricValue> metrics, Map<String, Long> totals, Map<String, Long> live,
                            List<LockHolder> heldLocks, List<LockWaiter> awaitedLocks, List<ContextStatus> children,
                            int omittedDescendants) {
    public ContextStatus {
        operations = List.copyOf(operations);
        data = sorted(data);
        metrics = sorted(metrics);
        totals = sorted(totals);
        live = sorted(live);
        heldLocks = List.copyOf(heldLocks);
        awaitedLocks = List.copyOf(awaitedLocks);
        children = List.copyOf(children);
    }

    private static <V> Map<String, V> sorted(Map<String, V> m) {
        return java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(m));
    }

    /** This context and every descendant in the snapshot. */
    public int size() {
        int n = 1;
        java.util.ArrayDeque<ContextStatus> pending = new java.util.ArrayDeque<>(children);
        while (!pending.isEmpty()) {
            ContextStatus c = pending.pop();
            n++;
            pending.addAll(c.children);
        }
        return n;
    }
}
