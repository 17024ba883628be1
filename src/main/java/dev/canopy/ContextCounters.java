package dev.canopy;

import dev.canopy.internal.Names;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The counters layer of {@link Context} (see {@link ContextData}): totals and live counts kept at the context's
 * path. A context holds the live increments it made in a {@link LocalCounter} per key, and gives back whatever it
 * still holds when it ends (or, if it leaked, when the collector finds it), so live counts never drift.
 */
abstract class ContextCounters extends ContextData {
    ContextCounters(ContextTree tree, long createdNanos) {
        super(tree, createdNanos);
    }

    // ------------------------------------------------------------------ counters

    /**
     * Adds one to the total {@code counter} at this context's path (key {@code <path>.<counter>}). Totals never
     * decrease and outlive the context: every context with this path adds into the same key.
     */
    public void incrementTotal(String counter) {
        incrementTotal(counter, 1);
    }

    /** Adds {@code amount} (not negative) to the total {@code counter} at this context's path. */
    public void incrementTotal(String counter, long amount) {
        if (amount < 0) {
            throw new IllegalArgumentException("total counter \"" + Names.escape(String.valueOf(counter))
                    + "\" only grows; amount must not be negative: " + amount);
        }
        CounterCell c = localCounter(counter).cell;
        if (c != null) {
            c.total.add(amount);
        } else {
            tree.counters().lost(amount);
        }
    }

    /**
     * Adds one to the live {@code counter} at this context's path (key {@code <path>.live_<counter>}). This
     * context holds the increment until {@link #decrementLive} gives it back or the context ends, which gives back
     * everything it still holds: a task that crashes never leaves a live count behind.
     *
     * @throws IllegalStateException if this context has ended
     */
    public void incrementLive(String counter) {
        LocalCounter local = localCounter(counter);
        if (!local.hold()) {
            throw new IllegalStateException("cannot increment live counter \"" + counter + "\" of " + path()
                    + ": the context has ended and gave back its live counts");
        }
        CounterCell c = local.cell;
        if (c != null) {
            c.live.increment();
            c.markLive();
        } else {
            tree.counters().lost(1);
        }
    }

    /**
     * Gives back one live {@code counter} increment this context holds.
     *
     * @throws IllegalStateException if this context holds none (a context cannot give back another's count, so
     *                               live counts never go below zero)
     */
    public void decrementLive(String counter) {
        Objects.requireNonNull(counter, "counter name must not be null");
        ConcurrentHashMap<String, LocalCounter> locals = localCounters();
        LocalCounter local = locals == null ? null : locals.get(counter);
        if (local == null || !local.giveBack()) {
            throw new IllegalStateException("cannot decrement live counter \"" + Names.escape(counter) + "\" of "
                    + path() + ": this context holds none of it (live at this path: " + getLive(counter) + ")");
        }
        CounterCell c = local.cell;
        if (c != null) {
            c.live.decrement();
        }
    }

    /** The total of {@code counter} at this context's path (all contexts with this path). */
    public long getTotal(String counter) {
        CounterCell c = counterCell(counter);
        return c == null ? 0 : c.totalNow();
    }

    /** The live count of {@code counter} at this context's path (all contexts with this path). */
    public long getLive(String counter) {
        CounterCell c = counterCell(counter);
        return c == null ? 0 : c.liveNow();
    }

    /** How many live {@code counter} increments this context itself holds. */
    public long heldLive(String counter) {
        Objects.requireNonNull(counter, "counter name must not be null");
        ConcurrentHashMap<String, LocalCounter> locals = localCounters();
        LocalCounter local = locals == null ? null : locals.get(counter);
        return local == null ? 0 : Math.max(0, local.held);
    }

    private CounterCell counterCell(String counter) {
        Objects.requireNonNull(counter, "counter name must not be null");
        ConcurrentHashMap<String, LocalCounter> locals = localCounters();
        LocalCounter local = locals == null ? null : locals.get(counter);
        return local != null ? local.cell : tree.counters().find(path(), counter);
    }

    private ConcurrentHashMap<String, LocalCounter> localCounters() {
        ContextExtras x = extras;
        return x == null ? null : x.counters;
    }

    private LocalCounter localCounter(String counter) {
        if (counter == null) {
            throw new NullPointerException("counter name must not be null");
        }
        ConcurrentHashMap<String, LocalCounter> locals = extras().counters();
        ChildLink l = link;
        if (l != null && l.counters == null) {
            l.counters = locals; // so a leak can still give the live counts back
        }
        LocalCounter local = locals.get(counter);
        if (local == null) {
            checkCounterName(counter);
            local = locals.computeIfAbsent(counter, k -> new LocalCounter(tree.counters().cell(path(), k)));
        }
        return local;
    }

    private static void checkCounterName(String counter) {
        Names.checkName("counter name", counter);
        if (counter.startsWith(Counters.LIVE_PREFIX)) {
            throw new IllegalArgumentException("counter name \"" + Names.escape(counter) + "\" must not start with \""
                    + Counters.LIVE_PREFIX + "\", which marks live keys");
        }
    }

    final void giveBackLiveCounts() {
        ContextExtras x = extras;
        ConcurrentHashMap<String, LocalCounter> locals = x == null ? null : x.counters;
        if (locals == null) {
            return;
        }
        for (LocalCounter local : locals.values()) {
            long held = local.giveBackAll();
            if (held > 0 && local.cell != null) {
                local.cell.live.add(-held);
            }
        }
    }

    /** Gives back the live counts a collected context still held. */
    static void giveBackCounts(ConcurrentHashMap<String, ?> counters) {
        if (counters == null) {
            return;
        }
        for (Object o : counters.values()) {
            LocalCounter local = (LocalCounter) o;
            long held = local.giveBackAll();
            if (held > 0 && local.cell != null) {
                local.cell.live.add(-held);
            }
        }
    }
}
