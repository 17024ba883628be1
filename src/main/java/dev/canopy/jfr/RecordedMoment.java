package dev.canopy.jfr;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A recording at one moment: which contexts were in the tree, which locks were held and awaited, drawn like a live
 * status, so a past incident reads as if it were happening now. From {@link ContextRecording#at(Instant)}.
 *
 * <p>What the recording cannot know stays unsaid: the age of a context created before the recording that was still
 * running is given as "at least". Lock waits and holds are recorded whole when they end, over the template's
 * threshold; those in progress when a chunk began or ended (the recording's start, stop, a dump) are recorded there
 * too, so the moment a recording stopped shows every lock then held and awaited, however short, while a moment
 * between chunk boundaries shows only those over the threshold (a waiter names who held the lock when its wait
 * began).
 */
public final class RecordedMoment {
    /** Times of day as {@code jfr timeline} prints them, so a time can be copied from one to the other. */
    static final DateTimeFormatter TIME_OF_DAY = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private final ContextRecording recording;
    private final Instant at;
    private final Map<Long, RecordedCancel> cancelsById = new HashMap<>();
    private final List<RecordedLock> held = new ArrayList<>();
    private final List<RecordedLock> awaited = new ArrayList<>();
    private final List<RecordedWarning> warnings;

    RecordedMoment(ContextRecording recording, Instant at) {
        this.recording = recording;
        this.at = at;
        for (RecordedCancel c : recording.cancels()) {
            if (!c.time().isAfter(at)) {
                cancelsById.putIfAbsent(c.contextId(), c); // only the first cancel of a context counts
            }
        }
        for (RecordedLock l : recording.locks()) {
            if (l.inProgressAt(at)) {
                (l.kind() == RecordedLock.Kind.HOLD ? held : awaited).add(l);
            }
        }
        warnings = recording.warnings().stream().filter(w -> w.whenStopped() && !at.isBefore(w.time())).toList();
    }

    /** The warnings in effect when the recording stopped, for a moment from then to its end; else none. */
    public List<RecordedWarning> warnings() {
        return warnings;
    }

    public Instant at() {
        return at;
    }

    /** How far into the recording this moment is. */
    public Duration sinceRecordingStart() {
        return Duration.between(recording.recordingStart(), at);
    }

    /** The roots in the tree at this moment. */
    public List<RecordedContext> roots() {
        return recording.roots().stream().filter(this::isInTree).toList();
    }

    /** The children of {@code context} in the tree at this moment, oldest first. */
    public List<RecordedContext> children(RecordedContext context) {
        return context.children().stream().filter(this::isInTree).toList();
    }

    public boolean isInTree(RecordedContext context) {
        return context.inTreeAt(at);
    }

    /** Every context in the tree at this moment, parents before their children. */
    public List<RecordedContext> contexts() {
        List<RecordedContext> out = new ArrayList<>();
        List<RecordedContext> pending = new ArrayList<>(roots());
        while (!pending.isEmpty()) {
            RecordedContext c = pending.remove(pending.size() - 1);
            out.add(c);
            List<RecordedContext> kids = new ArrayList<>(children(c));
            java.util.Collections.reverse(kids);
            pending.addAll(kids);
        }
        return out;
    }

    /** Whether the context had ended (but stayed in the tree for its children) by this moment. */
    public boolean hasEnded(RecordedContext context) {
        return context.end() != null && !context.end().isAfter(at);
    }

    /**
     * The cancel that had reached the context by this moment: the first one on it or on an ancestor (a cancel
     * reaches the whole subtree, and a child created under a cancelled parent starts cancelled).
     */
    public Optional<RecordedCancel> cancellation(RecordedContext context) {
        RecordedCancel first = null;
        int depth = 0;
        for (RecordedContext c = context; c != null && depth++ < 100_000;
             c = c.parentId() == c.id() ? null : recording.byId(c.parentId()).orElse(null)) {
            RecordedCancel cancel = cancelsById.get(c.id());
            if (cancel != null && (first == null || cancel.time().isBefore(first.time()))) {
                first = cancel;
            }
        }
        return Optional.ofNullable(first);
    }

    /** The holds in progress at this moment, oldest first. */
    public List<RecordedLock> held() {
        return List.copyOf(held);
    }

    /** The waits in progress at this moment, oldest first. */
    public List<RecordedLock> awaited() {
        return List.copyOf(awaited);
    }

    /** The tree at this moment as text, with the locks held and awaited, like a live status. */
    public String render() {
        StringBuilder out = new StringBuilder();
        Duration length = Duration.between(recording.recordingStart(), recording.recordingEnd());
        out.append("Tree at ").append(TIME_OF_DAY.format(at)).append(" UTC (")
                .append(LocalDate.ofInstant(at, ZoneOffset.UTC)).append(", ").append(offset(sinceRecordingStart()))
                .append(" into a ").append(seconds(length)).append(" recording)\n");
        List<RecordedContext> roots = roots();
        if (roots.isEmpty()) {
            out.append("(no context was in the tree)\n");
        }
        for (RecordedContext root : roots) {
            out.append(shown(line(root, ContextRecording.rootLabel(root)))).append('\n');
            draw(root, "", out);
        }
        if (!held.isEmpty()) {
            out.append("\n🔒 Held locks (").append(held.size()).append("):\n");
            for (RecordedLock l : sortedByStart(held)) {
                out.append(shown("  - \"" + l.lockName() + "\" " + l.mode() + " held by " + l.path() + " #"
                        + l.contextId() + " (" + ContextRecording.human(since(l)) + ")")).append('\n');
            }
        }
        if (!awaited.isEmpty()) {
            out.append("\n⏳ Lock waiters (").append(awaited.size()).append("):\n");
            for (RecordedLock l : sortedByStart(awaited)) {
                out.append(shown("  - " + l.path() + " #" + l.contextId() + " waiting for \"" + l.lockName() + "\" "
                        + l.mode() + " (" + ContextRecording.human(since(l)) + heldBy(l) + ")")).append('\n');
            }
        }
        if (!warnings.isEmpty()) {
            out.append("\n⚠️ Warnings when the recording stopped (").append(warnings.size()).append("):\n");
            for (RecordedWarning w : warnings) {
                out.append(shown("  - " + w.severity() + ' ' + w.kind() + ": " + w.message())).append('\n');
            }
        }
        return out.toString();
    }

    private void draw(RecordedContext parent, String lead, StringBuilder out) {
        List<String> lockLines = new ArrayList<>();
        for (RecordedLock l : sortedByStart(held)) {
            if (l.contextId() == parent.id()) {
                lockLines.add("🔒 HOLDS \"" + l.lockName() + "\" " + l.mode() + " (" + ContextRecording.human(since(l))
                        + " held)");
            }
        }
        for (RecordedLock l : sortedByStart(awaited)) {
            if (l.contextId() == parent.id()) {
                lockLines.add("⏳ WAITING \"" + l.lockName() + "\" " + l.mode() + " ("
                        + ContextRecording.human(since(l)) + " waiting" + heldBy(l) + ")");
            }
        }
        List<RecordedContext> kids = children(parent);
        int total = lockLines.size() + kids.size();
        for (int i = 0; i < total; i++) {
            boolean last = i == total - 1;
            String branch = lead + (last ? "└── " : "├── ");
            if (i < lockLines.size()) {
                out.append(branch).append(shown(lockLines.get(i))).append('\n');
            } else {
                RecordedContext c = kids.get(i - lockLines.size());
                out.append(branch).append(shown(line(c, c.name()))).append('\n');
                if (lead.length() < 4 * 256) {
                    draw(c, lead + (last ? "    " : "│   "), out);
                }
            }
        }
    }

    private String line(RecordedContext c, String label) {
        StringBuilder s = new StringBuilder(label).append(" #").append(c.id()).append(" (");
        if (hasEnded(c)) {
            s.append(c.outcome()).append(' ').append(ContextRecording.human(Duration.between(c.end(), at)))
                    .append(" ago, still in the tree until its children end");
        } else {
            Instant created = c.created();
            if (created != null) {
                s.append("running ").append(ContextRecording.human(Duration.between(created, at)));
            } else {
                s.append("running ≥ ").append(ContextRecording.human(sinceRecordingStart()))
                        .append(", created before the recording");
            }
            cancellation(c).ifPresent(k -> s.append(", cancelled ")
                    .append(ContextRecording.human(Duration.between(k.time(), at))).append(" ago: ").append(k.reason()));
        }
        return s.append(')').toString();
    }

    /**
     * A line as a terminal may print it: a cancel reason, a failure message or a warning may hold escape codes or
     * line breaks (kept as they are in the recording), shown as {@code \\uXXXX} as the live status shows them.
     */
    static String shown(String line) {
        return dev.canopy.internal.Names.escapeControls(line);
    }

    private Duration since(RecordedLock l) {
        return Duration.between(l.start(), at);
    }

    private static String heldBy(RecordedLock wait) {
        List<String> paths = wait.holderPaths();
        if (paths.isEmpty()) {
            return "";
        }
        // a busy semaphore's holders often share a path: "6 × global.http-proxy.request"
        Map<String, Integer> counts = new LinkedHashMap<>();
        paths.forEach(p -> counts.merge(p, 1, Integer::sum));
        StringBuilder s = new StringBuilder("; held by ");
        counts.forEach((path, n) -> s.append(s.length() > "; held by ".length() ? ", " : "")
                .append(n > 1 ? n + " × " : "").append(path));
        return s.append(wait.stillInProgress() ? " when last seen" : " when the wait began").toString();
    }

    private static List<RecordedLock> sortedByStart(List<RecordedLock> locks) {
        return locks.stream().sorted(Comparator.comparing(RecordedLock::start)).toList();
    }

    /** An offset into the recording, to the millisecond: {@code +1.500s}. */
    static String offset(Duration d) {
        return "+" + seconds(d);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3fs", d.toNanos() / 1e9);
    }
}
