package dev.canopy.demo;

import dev.canopy.Context;
import dev.canopy.ContextState;
import dev.canopy.CounterSnapshot;
import dev.canopy.Counters;
import dev.canopy.LockHolder;
import dev.canopy.LockWaiter;
import dev.canopy.Warning;

import java.time.Duration;
import java.util.List;

/** A plain tree view of a context and its live descendants, for the demo's console. */
final class TreePrinter {
    private TreePrinter() {
    }

    static String render(Context root) {
        StringBuilder out = new StringBuilder();
        line(out, root, "", "");
        return out.toString();
    }

    private static void line(StringBuilder out, Context ctx, String lead, String childLead) {
        out.append(lead).append(ctx.name()).append(" (").append(human(ctx.duration()));
        Duration idle = ctx.idleDuration();
        if (idle.toMillis() >= 5_000) {
            out.append(", idle ").append(human(idle));
        }
        if (ctx.state() != ContextState.ACTIVE) {
            out.append(", ").append(ctx.state().name().toLowerCase());
        }
        out.append(')');
        ctx.data().forEach((k, v) -> out.append("  ").append(k).append('=').append(v.isTextual() ? v.asText() : v));
        ctx.metrics().forEach((k, v) -> out.append("  ").append(k).append('=').append(v));
        ctx.currentOperation().ifPresent(op -> out.append("  [").append(op.name()).append(' ')
                .append(human(op.duration())).append(']'));
        out.append('\n');
        List<String> lockLines = new java.util.ArrayList<>();
        for (LockHolder h : ctx.heldLocks()) {
            lockLines.add("HOLDS \"" + h.lockName() + "\" (" + human(h.held()) + " held)");
        }
        for (LockWaiter w : ctx.awaitedLocks()) {
            lockLines.add("WAITING \"" + w.lockName() + "\" (" + human(w.waiting()) + " waiting)");
        }
        List<Context> children = ctx.children();
        int total = lockLines.size() + children.size();
        int index = 0;
        for (String lock : lockLines) {
            boolean last = ++index == total;
            out.append(childLead).append(last ? "└── " : "├── ").append(lock).append('\n');
        }
        for (Context child : children) {
            boolean last = ++index == total;
            line(out, child, childLead + (last ? "└── " : "├── "), childLead + (last ? "    " : "│   "));
        }
    }

    static String counters(Counters counters) {
        StringBuilder out = new StringBuilder("counters:\n");
        for (CounterSnapshot c : counters.snapshot()) {
            out.append(String.format("  %-45s total %,8d  live %,4d  last min %,6d  %.1f/s%n",
                    c.key(), c.total(), c.live(), c.windows().lastMinute(), c.windows().ratePerSecond()));
        }
        return out.toString();
    }

    static String warnings(List<Warning> warnings) {
        StringBuilder out = new StringBuilder();
        if (!warnings.isEmpty()) {
            out.append("warnings:\n");
            for (Warning w : warnings) {
                out.append("  ").append(w.severity()).append(' ').append(w.message()).append('\n');
            }
        }
        return out.toString();
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return String.format("%.1fs", d.toMillis() / 1000.0);
        }
        if (s < 3600) {
            return (s / 60) + "m " + (s % 60) + "s";
        }
        return (s / 3600) + "h " + (s % 3600 / 60) + "m";
    }
}
