package dev.canopy.status;

import dev.canopy.ContextState;
import dev.canopy.LockMode;
import dev.canopy.MetricValue;

import dev.canopy.internal.Durations;
import dev.canopy.internal.Names;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Draws a {@link Status} as the design's tree: one line per context, locks under their holders, then sections. */
final class StatusRenderer {
    private static final String RESET = "\u001b[0m";
    private static final String BOLD = "\u001b[1m";
    private static final String DIM = "\u001b[2m";
    private static final String RED = "\u001b[31m";
    private static final String GREEN = "\u001b[32m";
    private static final String YELLOW = "\u001b[33m";
    private static final String CYAN = "\u001b[36m";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final int VALUE_LIMIT = 60;

    private final RenderOptions options;
    private final StringBuilder out = new StringBuilder(4096);
    private final Set<String> longHeld = new HashSet<>();
    private final Set<String> stuck = new HashSet<>();
    /** Paths whose counters were shown already: same-named siblings share one path and its counters. */
    private final Set<String> countersShown = new HashSet<>();

    private StatusRenderer(RenderOptions options) {
        this.options = options;
    }

    static String render(Status status, RenderOptions options) {
        return new StatusRenderer(options).draw(status);
    }

    private String paint(String text, String code) {
        return options.color() ? code + text + RESET : text;
    }

    private String draw(Status s) {
        for (Warning w : s.warnings()) {
            if (w.kind() == WarningKind.LONG_HELD) {
                longHeld.add(w.contextPath() + "\u0000" + w.lockName());
            } else if (w.kind() == WarningKind.STUCK_WAITER) {
                stuck.add(w.contextPath() + "\u0000" + w.lockName());
            }
        }
        boolean critical = s.warnings().stream().anyMatch(w -> w.severity() == Severity.CRITICAL);
        boolean warning = s.warnings().stream().anyMatch(w -> w.severity() == Severity.WARNING);
        String icon = critical ? "🚨" : warning ? "⚠️" : "✅";
        ContextStatus root = s.root();
        out.append(icon).append(' ').append(paint(root.name(), BOLD)).append(" (")
                .append(Durations.human(root.duration())).append(", active ")
                .append(Durations.human(root.idle())).append(" ago");
        if (root.cancellation() != null) { // the whole tree was cancelled (closed, or cancelled from the CLI)
            out.append(", ").append(paint("cancelled: " + Names.escape(root.cancellation().reason()), YELLOW));
        }
        out.append(')').append(counters(root)).append('\n');
        drawChildren(root, "", 0);
        sections(s);
        return out.toString();
    }

    // ------------------------------------------------------------------ the tree

    private boolean visible(ContextStatus c) {
        String prefix = options.pathPrefix();
        if (prefix.isEmpty()) {
            return true;
        }
        String p = c.path();
        return p.equals(prefix) || p.startsWith(prefix + ".") || prefix.startsWith(p + ".");
    }

    /** The contexts under {@code c}: those the snapshot keeps, and those deeper ones it only counts. */
    private static long descendants(ContextStatus c) {
        long n = c.omittedDescendants();
        java.util.ArrayDeque<ContextStatus> pending = new java.util.ArrayDeque<>(c.children());
        while (!pending.isEmpty()) {
            ContextStatus d = pending.pop();
            n += 1 + d.omittedDescendants();
            pending.addAll(d.children());
        }
        return n;
    }

    /** A context's lines below it: its locks first, then children (same-named crowds collapsed). */
    private void drawChildren(ContextStatus parent, String lead, int depth) {
        List<String> lockLines = lockLines(parent);
        List<Object> items = new ArrayList<>(lockLines);
        Map<String, List<ContextStatus>> byName = new LinkedHashMap<>();
        for (ContextStatus child : parent.children()) {
            if (visible(child)) {
                byName.computeIfAbsent(child.name(), k -> new ArrayList<>()).add(child);
            }
        }
        for (List<ContextStatus> group : byName.values()) {
            if (options.collapseAt() > 0 && group.size() >= options.collapseAt()) {
                items.add(group);
            } else {
                items.addAll(group);
            }
        }
        if (parent.omittedDescendants() > 0) {
            items.add("… " + String.format(Locale.ROOT, "%,d", parent.omittedDescendants())
                    + " more contexts below (deeper than the snapshot keeps)");
        }
        if (depth >= options.maxDepth() && !parent.children().isEmpty()) {
            long below = descendants(parent);
            items.clear();
            items.addAll(lockLines);
            items.add("… " + String.format(Locale.ROOT, "%,d", below) + " more contexts below (depth limit "
                    + options.maxDepth() + ")");
        }
        for (int i = 0; i < items.size(); i++) {
            boolean last = i == items.size() - 1;
            String branch = lead + (last ? "└── " : "├── ");
            String next = lead + (last ? "    " : "│   ");
            Object item = items.get(i);
            if (item instanceof String line) {
                out.append(branch).append(line).append('\n');
            } else if (item instanceof ContextStatus child) {
                out.append(branch).append(contextLine(child, parent)).append('\n');
                if (depth < options.maxDepth()) {
                    drawChildren(child, next, depth + 1);
                }
            } else {
                @SuppressWarnings("unchecked")
                List<ContextStatus> group = (List<ContextStatus>) item;
                out.append(branch).append(groupLine(group)).append(countersShown.add(group.get(0).path())
                        ? counters(group.get(0)) : "").append('\n');
            }
        }
    }

    private String contextLine(ContextStatus c, ContextStatus parent) {
        StringBuilder b = new StringBuilder();
        b.append(c.state() == ContextState.FAILED ? paint(c.name(), RED)
                : c.state() == ContextState.CANCELLED ? paint(c.name(), YELLOW) : c.name());
        b.append(" (").append(Durations.human(c.duration()));
        if (c.idle().toMillis() >= 5_000) {
            b.append(", idle ").append(Durations.human(c.idle()));
        }
        boolean ownDeadline = c.deadline() != null && !c.deadline().equals(parent.deadline());
        if (ownDeadline && c.timeLeft() != null && c.state() == ContextState.ACTIVE) {
            b.append(", ").append(Durations.human(c.timeLeft())).append(" left");
        }
        if (c.state() == ContextState.CANCELLED && c.cancellation() != null) {
            b.append(", ").append(paint("cancelled: " + Names.escape(c.cancellation().reason()), YELLOW));
        } else if (c.state() == ContextState.FAILED) {
            b.append(", ").append(paint("failed", RED));
        } else if (c.ended()) {
            b.append(", completed");
        }
        if (c.ended()) {
            b.append(", waiting for its children");
        }
        b.append(')').append(countersShown.add(c.path()) ? counters(c) : "");
        c.data().forEach((k, v) -> b.append("  ").append(k).append('=').append(value(v)));
        c.metrics().forEach((k, v) -> b.append("  ").append(k).append('=').append(metric(v)));
        if (!c.operations().isEmpty()) {
            OperationInfo op = c.operations().get(c.operations().size() - 1);
            if (!op.name().startsWith("waiting for lock")) {
                b.append("  ⏱ ").append(Names.escape(op.name())).append(" (").append(Durations.human(op.duration()))
                        .append(')');
            }
        }
        return b.toString();
    }

    private String groupLine(List<ContextStatus> group) {
        Duration oldest = Duration.ZERO;
        Duration newest = null;
        int holding = 0;
        int waiting = 0;
        Map<ContextState, Integer> states = new LinkedHashMap<>();
        for (ContextStatus c : group) {
            oldest = c.duration().compareTo(oldest) > 0 ? c.duration() : oldest;
            newest = newest == null || c.duration().compareTo(newest) < 0 ? c.duration() : newest;
            holding += c.heldLocks().isEmpty() ? 0 : 1;
            waiting += c.awaitedLocks().isEmpty() ? 0 : 1;
            if (c.state() != ContextState.ACTIVE) {
                states.merge(c.state(), 1, Integer::sum);
            }
        }
        StringBuilder b = new StringBuilder();
        b.append(paint("[×" + String.format(Locale.ROOT, "%,d", group.size()) + "]", BOLD)).append(' ')
                .append(group.get(0).name()).append(" (oldest ").append(Durations.human(oldest))
                .append(", newest ").append(Durations.human(newest)).append(')');
        states.forEach((st, n) -> b.append(", ").append(n).append(' ').append(st.name().toLowerCase(Locale.ROOT)));
        if (holding > 0) {
            b.append(", ").append(holding).append(" holding locks");
        }
        if (waiting > 0) {
            b.append(", ").append(paint(waiting + " waiting for locks", YELLOW));
        }
        return b.toString();
    }

    private List<String> lockLines(ContextStatus c) {
        List<String> lines = new ArrayList<>();
        for (LockHolder h : c.heldLocks()) {
            String tag = longHeld.contains(c.path() + "\u0000" + h.lockName()) ? " " + paint("⚠️ LONG HELD", YELLOW) : "";
            lines.add("🔒 HOLDS " + paint("\"" + h.lockName() + "\"", CYAN) + mode(h.mode(), h.count()) + " ("
                    + Durations.human(h.held()) + " held)" + tag);
        }
        for (LockWaiter w : c.awaitedLocks()) {
            String tag = stuck.contains(c.path() + "\u0000" + w.lockName()) ? " " + paint("⚠️ STUCK", RED) : "";
            lines.add("⏳ WAITING " + paint("\"" + w.lockName() + "\"", CYAN) + mode(w.mode(), w.permits()) + " ("
                    + Durations.human(w.waiting()) + " waiting)" + tag);
        }
        return lines;
    }

    private static String mode(LockMode mode, int count) {
        return switch (mode) {
            case READ -> " [read]";
            case WRITE -> " [write]";
            case PERMIT -> " [" + count + (count == 1 ? " permit]" : " permits]");
            default -> "";
        };
    }

    private String counters(ContextStatus c) {
        if (c.totals().isEmpty() && c.live().isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        Set<String> names = new java.util.TreeSet<>(c.totals().keySet());
        names.addAll(c.live().keySet());
        for (String name : names) {
            long total = c.totals().getOrDefault(name, 0L);
            long live = c.live().getOrDefault(name, 0L);
            if (total > 0) {
                parts.add(String.format(Locale.ROOT, "%,d total %s", total, name) + (live > 0
                        ? String.format(Locale.ROOT, ", %,d live", live) : ""));
            } else if (live > 0) {
                parts.add(String.format(Locale.ROOT, "%,d live %s", live, name));
            }
        }
        return parts.isEmpty() ? "" : " " + paint("[" + String.join(", ", parts) + "]", DIM);
    }

    /** A data value (JSON text) for a person: a string without its quotes, anything else as JSON. */
    static String value(String json) {
        String text = json;
        if (json.startsWith("\"")) {
            try {
                text = StatusJson.MAPPER.readValue(json, String.class);
            } catch (java.io.IOException e) {
                text = json; // not ours to fix: show it as it is
            }
        }
        return cut(Names.escape(text));
    }

    private static String cut(String s) {
        return s.length() <= VALUE_LIMIT ? s : s.substring(0, VALUE_LIMIT) + "…";
    }

    static String metric(MetricValue v) {
        return v instanceof MetricValue.Text t ? cut(Names.escape(t.value())) : v.display();
    }

    // ------------------------------------------------------------------ sections

    private boolean inScope(String path) {
        String prefix = options.pathPrefix();
        return prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix + ".");
    }

    private void sections(Status s) {
        List<LockSnapshot> active = s.activeLocks().stream()
                .filter(l -> l.holders().stream().anyMatch(h -> inScope(h.contextPath()))).toList();
        if (!active.isEmpty()) {
            int holders = active.stream().mapToInt(l -> (int) l.holders().stream()
                    .filter(h -> inScope(h.contextPath())).count()).sum();
            // one line per holder: a read lock or a semaphore can have several, so say both numbers when they differ
            String count = holders == active.size() ? String.valueOf(holders)
                    : active.size() + (active.size() == 1 ? " lock, " : " locks, ") + holders + " holders";
            out.append('\n').append("🔒 Active Locks (").append(count).append("):\n");
            for (LockSnapshot l : active) {
                for (LockHolder h : l.holders()) {
                    if (!inScope(h.contextPath())) {
                        continue;
                    }
                    String tag = longHeld.contains(h.contextPath() + "\u0000" + l.name())
                            ? " " + paint("⚠️ LONG HELD", YELLOW) : "";
                    out.append("  - ").append(paint("\"" + l.name() + "\"", CYAN)).append(mode(h.mode(), h.count()))
                            .append(" held by ").append(h.contextPath()).append(" on ").append(Names.escapeControls(h.thread()))
                            .append(" (")
                            .append(Durations.human(h.held())).append(')').append(tag).append('\n');
                }
            }
        }
        List<LockWaiter> waiters = s.lockWaiters().stream().filter(w -> inScope(w.contextPath())).toList();
        if (!waiters.isEmpty()) {
            out.append('\n').append("⏳ Lock Waiters (").append(waiters.size()).append("):\n");
            for (LockWaiter w : waiters) {
                String tag = stuck.contains(w.contextPath() + "\u0000" + w.lockName()) ? " " + paint("⚠️ STUCK", RED) : "";
                out.append("  - ").append(w.contextPath()).append(" on ").append(Names.escapeControls(w.thread()))
                        .append(" waiting for ")
                        .append(paint("\"" + w.lockName() + "\"", CYAN)).append(mode(w.mode(), w.permits()))
                        .append(" (").append(Durations.human(w.waiting())).append(')').append(tag).append('\n');
            }
        }
        List<Deadlock> deadlocks = s.deadlocks().stream()
                .filter(d -> d.steps().stream().anyMatch(st -> inScope(st.contextPath()))).toList();
        if (!deadlocks.isEmpty()) {
            out.append('\n').append(paint("🚨 Deadlocks (" + deadlocks.size() + "):", RED)).append('\n');
            for (Deadlock d : deadlocks) {
                out.append("  - ").append(Names.escapeControls(d.describe())).append(d.source().equals("JDK") ? " (found by the JVM)" : "")
                        .append('\n');
            }
        }
        List<Warning> shown = s.warnings().stream()
                .filter(w -> w.kind() != WarningKind.DEADLOCK && inScope(w.contextPath())).toList();
        if (!shown.isEmpty()) {
            out.append('\n').append("⚠️  Warnings (").append(shown.size()).append("):\n");
            for (Warning w : shown) {
                String icon = switch (w.severity()) {
                    case CRITICAL -> "🚨";
                    case WARNING -> "⚠️ ";
                    default -> "ℹ️ ";
                };
                String message = Names.escapeControls(w.message()); // it may quote a cancel reason or a thread name
                out.append("  ").append(icon).append(' ')
                        .append(w.severity() == Severity.INFO ? message : paint(message, YELLOW)).append('\n');
            }
        }
        List<CompletedContext> recent = s.recentCompletions().stream().filter(c -> inScope(c.path())).toList();
        if (!recent.isEmpty()) {
            int shownCount = Math.min(10, recent.size());
            out.append('\n').append("📋 Recent completed (").append(shownCount).append(" of ")
                    .append(recent.size()).append("):\n");
            for (CompletedContext c : recent.subList(0, shownCount)) {
                String mark = switch (c.state()) {
                    case COMPLETED -> paint("✔", GREEN);
                    case FAILED -> paint("✖", RED);
                    default -> paint("⛔", YELLOW);
                };
                out.append("  ").append(mark).append(' ').append(c.path()).append(' ')
                        .append(c.state().name().toLowerCase(Locale.ROOT)).append(" in ")
                        .append(Durations.human(c.duration())).append(" at ").append(TIME.format(c.endedAt()));
                if (c.message() != null) {
                    out.append(": ").append(cut(Names.escape(c.message())));
                }
                out.append('\n');
            }
        }
        if (options.system() && s.system() != null) {
            out.append('\n').append(systemLine(s.system())).append('\n');
        }
    }

    static String systemLine(SystemMetrics m) {
        StringBuilder b = new StringBuilder("System: ");
        b.append("CPU ").append(m.cpuPercent() == null ? "?" : String.format(Locale.ROOT, "%.1f%%", m.cpuPercent()));
        b.append(" | RAM ").append(pair(m.memoryUsedBytes(), m.memoryTotalBytes()));
        b.append(" | Disk ").append(pair(m.diskUsedBytes(), m.diskTotalBytes()));
        b.append(" | Load ").append(m.loadAverage1() == null ? "?"
                : String.format(Locale.ROOT, "%.1f,%s,%s", m.loadAverage1(), one(m.loadAverage5()), one(m.loadAverage15())));
        b.append(" | Net ↓").append(rate(m.networkRxBytesPerSecond())).append(" ↑").append(rate(m.networkTxBytesPerSecond()));
        b.append(" | Up ").append(m.uptime() == null ? "?" : Durations.human(m.uptime()));
        b.append("\nJVM: heap ").append(pair(m.jvmHeapUsedBytes(), m.jvmHeapMaxBytes()));
        b.append(" | threads ").append(m.jvmThreads() == null ? "?" : m.jvmThreads())
                .append(m.jvmDaemonThreads() == null ? "" : " (" + m.jvmDaemonThreads() + " daemon)");
        b.append(" | up ").append(m.jvmUptime() == null ? "?" : Durations.human(m.jvmUptime()));
        return b.toString();
    }

    private static String one(Double d) {
        return d == null ? "?" : String.format(Locale.ROOT, "%.1f", d);
    }

    private static String pair(Long used, Long total) {
        return (used == null ? "?" : Durations.bytes(used)) + "/" + (total == null ? "?" : Durations.bytes(total));
    }

    private static String rate(Long perSecond) {
        return perSecond == null ? "?" : Durations.bytes(perSecond) + "/s";
    }
}
