package dev.canopy.status;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An immutable snapshot of a tree: its contexts, named locks with holders and waiters, deadlocks, warnings,
 * counters, recent completions, tree statistics and system metrics, at {@code timestamp}.
 *
 * <p>{@link #toJson()} writes the documented JSON schema ({@code schema} = {@value #SCHEMA}: durations in
 * milliseconds as integers, instants as ISO-8601 strings, enums as their names, unknown values as {@code null});
 * {@link #fromJson(String)} reads it back into an equal snapshot, so a remote reader can render it.
 */
public record Status(String schema, Instant timestamp, ContextStatus root, List<LockSnapshot> locks,
                     List<Deadlock> deadlocks, List<Warning> warnings, List<CounterSnapshot> counters,
                     List<CompletedContext> recentCompletions, TreeStatistics statistics, SystemMetrics system) {
    /** The schema identifier written in every JSON status. */
    public static final String SCHEMA = "canopy.status/1";

    public Status {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(root, "root");
        locks = List.copyOf(locks);
        deadlocks = List.copyOf(deadlocks);
        warnings = List.copyOf(warnings);
        counters = List.copyOf(counters);
        recentCompletions = List.copyOf(recentCompletions);
    }

    /** Locks someone holds now. */
    public List<LockSnapshot> activeLocks() {
        return locks.stream().filter(l -> !l.holders().isEmpty()).toList();
    }

    /** Everyone waiting for a named lock now, longest wait first. */
    public List<LockWaiter> lockWaiters() {
        List<LockWaiter> out = new ArrayList<>();
        locks.forEach(l -> out.addAll(l.waiters()));
        out.sort((a, b) -> b.waiting().compareTo(a.waiting()));
        return out;
    }

    /**
     * Whether this snapshot shows the same contexts, locks, counters, warnings, deadlocks and completions as
     * {@code other}; durations and system metrics, which change by themselves, are not compared.
     */
    public boolean sameContentAs(Status other) {
        return fingerprint(this).equals(fingerprint(other));
    }

    /** The snapshot as JSON (see the class comment for the schema). */
    public String toJson() {
        try {
            return StatusJson.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("status could not be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The snapshot as indented JSON. */
    public String toPrettyJson() {
        try {
            return StatusJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("status could not be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads a status written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException if the text is not a Canopy status of a schema this version reads
     */
    public static Status fromJson(String json) {
        Objects.requireNonNull(json, "json");
        try {
            // the schema first: another schema's fields need not fit these records, and saying which schema it is
            // tells the reader more than the first field that does not fit
            com.fasterxml.jackson.databind.JsonNode tree = StatusJson.MAPPER.readTree(json);
            com.fasterxml.jackson.databind.JsonNode schema = tree == null ? null : tree.get("schema");
            if (schema == null || !schema.isTextual()) {
                throw new IllegalArgumentException("not a Canopy status: no \"schema\" text field");
            }
            if (!SCHEMA.equals(schema.asText())) {
                throw new IllegalArgumentException("unsupported status schema \"" + schema.asText()
                        + "\"; this version reads " + SCHEMA);
            }
            return StatusJson.MAPPER.treeToValue(tree, Status.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a Canopy status: " + e.getOriginalMessage(), e);
        }
    }

    /** The tree as text, rendered with {@code options}. */
    public String render(RenderOptions options) {
        return StatusRenderer.render(this, options);
    }

    /** The tree as plain text (no colour), collapsed siblings and all sections. */
    @Override
    public String toString() {
        return render(RenderOptions.plain());
    }

    /** What a status shows, without the parts that change by themselves (times, system metrics). */
    private static String fingerprint(Status s) {
        StringBuilder b = new StringBuilder(1024);
        java.util.ArrayDeque<ContextStatus> pending = new java.util.ArrayDeque<>();
        pending.push(s.root());
        while (!pending.isEmpty()) {
            ContextStatus c = pending.pop();
            b.append('{').append(c.id()).append(c.state()).append(c.ended()).append(c.data()).append(c.metrics())
                    .append(c.totals()).append(c.live()).append(c.omittedDescendants());
            c.operations().forEach(o -> b.append(o.name()).append(';'));
            c.children().forEach(pending::push);
            b.append('}');
        }
        for (LockSnapshot l : s.locks()) {
            b.append('L').append(l.id()).append(l.permits());
            l.holders().forEach(h -> b.append('h').append(h.contextId()).append(h.mode()).append(h.count()));
            l.waiters().forEach(w -> b.append('w').append(w.contextId()).append(w.mode()).append(w.permits()));
        }
        s.counters().forEach(c -> b.append('C').append(c.key()).append(c.total()).append('/').append(c.live()));
        // as a set: warnings are listed by severity and how long they have lasted, so two that lasted equally long
        // may swap places from one snapshot to the next with nothing changed
        s.warnings().stream().map(w -> "W" + w.kind() + w.contextPath() + w.lockName()).sorted().forEach(b::append);
        s.deadlocks().forEach(d -> b.append('D').append(d.describe()));
        s.recentCompletions().forEach(r -> b.append('R').append(r.id()));
        return b.toString();
    }
}
