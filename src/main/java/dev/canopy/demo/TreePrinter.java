package dev.canopy.demo;

import dev.canopy.Context;
import dev.canopy.ContextState;
import dev.canopy.CounterSnapshot;
import dev.canopy.Counters;

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
        out.append('\n');
        List<Context> children = ctx.children();
        for (int i = 0; i < children.size(); i++) {
            boolean last = i == children.size() - 1;
            line(out, children.get(i), childLead + (last ? "└── " : "├── "), childLead + (last ? "    " : "│   "));
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
