package dev.canopy.jfr;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The context tree and per-context timeline rebuilt from a JFR recording alone, through the
 * {@code dev.canopy.ContextId} links between events:
 * <pre>{@code
 * ContextRecording rec = ContextRecording.read(Path.of("app.jfr"));
 * System.out.print(rec.renderTree());
 * rec.timeline("global.http-proxy").forEach(System.out::println);
 * }</pre>
 */
public final class ContextRecording {
    /**
     * How far ahead of JFR's clock the tree's may be, which times the holds and waits seen in progress: a tick. It
     * lags by more when its ticker thread waits for a CPU.
     */
    private static final Duration SINCE_AHEAD = Duration.ofMillis(2);
    /** How far the tree's clock may lag JFR's where a semaphore's hold grown by a later wait must not be taken for it. */
    private static final Duration SINCE_BEHIND = Duration.ofMillis(50);

    private final Map<Long, RecordedContext> contexts;
    private final List<RecordedContext> roots;
    private final List<TimelineEntry> timeline;
    private final List<RecordedEvent> lockEvents;
    private final List<RecordedLock> locks;
    private final List<RecordedCancel> cancels;
    private final List<RecordedWarning> warnings;
    private final Instant recordingStart;
    private final Instant recordingEnd;

    private ContextRecording(Map<Long, RecordedContext> contexts, List<RecordedContext> roots,
                             List<TimelineEntry> timeline, List<RecordedEvent> lockEvents, List<RecordedLock> locks,
                             List<RecordedCancel> cancels, List<RecordedWarning> warnings, Instant recordingStart,
                             Instant recordingEnd) {
        this.contexts = contexts;
        this.roots = roots;
        this.timeline = timeline;
        this.lockEvents = lockEvents;
        this.locks = locks;
        this.cancels = cancels;
        this.warnings = warnings;
        this.recordingStart = recordingStart;
        this.recordingEnd = recordingEnd;
    }

    /**
     * Reads a {@code .jfr} file.
     *
     * @throws IOException with a message naming the file when it is missing, unreadable, not a recording or
     *                     truncated
     */
    public static ContextRecording read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such recording file");
        }
        List<RecordedEvent> events;
        try {
            events = RecordingFile.readAllEvents(file);
        } catch (IOException e) {
            throw new IOException(file + " is not a readable JFR recording (truncated or corrupt?): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IOException(file + " is not a readable JFR recording: " + e, e);
        }
        return build(events, RecordingSpan.ofChunks(file));
    }

    /**
     * Builds from events already read (for example from a {@code RecordingStream}). With no file to take the
     * chunks' start and end from, the recording is taken to span from its first event to its last, and a lock
     * seen in progress is taken to be held (or awaited) up to its last sighting, not to the recording's end.
     */
    public static ContextRecording of(List<RecordedEvent> events) {
        return build(events, Optional.empty());
    }

    private static ContextRecording build(List<RecordedEvent> events, Optional<RecordingSpan> chunks) {
        List<RecordedEvent> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(RecordedEvent::getStartTime));
        Map<Long, RecordedContext> contexts = new LinkedHashMap<>();
        List<TimelineEntry> timeline = new ArrayList<>();
        List<RecordedEvent> lockEvents = new ArrayList<>();
        List<RecordedLock> locks = new ArrayList<>();
        List<RecordedCancel> cancels = new ArrayList<>();
        Map<List<Object>, RecordedEvent> seenInProgress = new LinkedHashMap<>();
        List<RecordedEvent> warningEvents = new ArrayList<>();
        Instant firstEvent = null;
        Instant lastEvent = null;
        for (RecordedEvent e : sorted) {
            // every event counts, the JDK's own included: they say how long the recording ran when chunks cannot
            firstEvent = firstEvent == null || e.getStartTime().isBefore(firstEvent) ? e.getStartTime() : firstEvent;
            lastEvent = lastEvent == null || e.getEndTime().isAfter(lastEvent) ? e.getEndTime() : lastEvent;
            String type = e.getEventType().getName();
            switch (type) {
                case EventNames.CONTEXT_START -> {
                    long id = e.getLong("contextId");
                    RecordedContext c = contexts.get(id);
                    if (c == null) {
                        c = new RecordedContext(id, e.getLong("parentId"), e.getString("name"), e.getString("path"),
                                e.getStartTime(), e.getBoolean("existing"), thread(e));
                        contexts.put(id, c);
                    }
                    timeline.add(new TimelineEntry(e.getStartTime(), Duration.ZERO, "START", id, c.path(), thread(e),
                            e.getBoolean("existing") ? "existed when the recording started" : "created"));
                }
                case EventNames.CONTEXT_END -> {
                    long id = e.getLong("contextId");
                    // no start event (the JDK's own settings leave it off): an end event begun with its context
                    // (existing false) starts where the context did
                    boolean existed = !e.hasField("existing") || e.getBoolean("existing");
                    RecordedContext c = contexts.computeIfAbsent(id, k -> new RecordedContext(id,
                            e.getLong("parentId"), e.getString("name"), e.getString("path"), e.getStartTime(), existed,
                            existed ? thread(e) : null)); // the thread that ended it did not create it
                    c.end = e.getEndTime();
                    // an event begun with its context spans the lifetime, timed more precisely than the field
                    c.lifetime = e.hasField("existing") && !e.getBoolean("existing") ? e.getDuration()
                            : e.getDuration("lifetime");
                    c.outcome = e.getString("outcome");
                    c.message = e.getString("message");
                    c.exceptionClass = e.getString("exceptionClass");
                    c.endThread = thread(e);
                    timeline.add(new TimelineEntry(e.getEndTime(), c.lifetime, "END", id, c.path(), thread(e),
                            c.outcome + (c.message == null ? "" : ": " + c.message)));
                }
                case EventNames.CONTEXT_CANCEL -> {
                    cancels.add(new RecordedCancel(e.getStartTime(), e.getLong("contextId"), e.getString("path"),
                            e.getString("reason"), e.getString("initiatorPath"), e.getInt("subtreeSize"), thread(e)));
                    timeline.add(new TimelineEntry(e.getStartTime(), Duration.ZERO,
                            "CANCEL", e.getLong("contextId"), e.getString("path"), thread(e),
                            orLost(e.getString("reason")) + " (by " + orLost(e.getString("initiatorPath")) + ", "
                                    + e.getInt("subtreeSize") + " contexts)"));
                }
                case EventNames.LOCK_WAIT -> {
                    lockEvents.add(e);
                    locks.add(lock(RecordedLock.Kind.WAIT, e));
                    timeline.add(new TimelineEntry(e.getStartTime(), e.getDuration(), "LOCK_WAIT",
                            e.getLong("contextId"), e.getString("path"), thread(e),
                            "\"" + orLost(e.getString("lockName")) + "\" " + e.getString("mode")
                                    + (e.getBoolean("acquired") ? "" : " (gave up)")
                                    + (e.getString("holders") == null || e.getString("holders").isEmpty() ? ""
                                    : " held by " + e.getString("holders"))));
                }
                case EventNames.LOCK_HOLD -> {
                    lockEvents.add(e);
                    locks.add(lock(RecordedLock.Kind.HOLD, e));
                    timeline.add(new TimelineEntry(e.getStartTime(), e.getDuration(), "LOCK_HOLD",
                            e.getLong("contextId"), e.getString("path"), thread(e),
                            "\"" + orLost(e.getString("lockName")) + "\" " + e.getString("mode")));
                }
                case EventNames.LOCK_HOLD_IN_PROGRESS, EventNames.LOCK_WAIT_IN_PROGRESS ->
                    // one hold or wait is seen at every chunk boundary while it lasts: keep the last sighting
                    seenInProgress.put(inProgressKey(e), e);
                case EventNames.WARNING -> warningEvents.add(e);
                case EventNames.CONTEXT_LEAK -> {
                    // a leaked context never gets an end event: it leaves the tree when it is collected
                    RecordedContext c = contexts.get(e.getLong("contextId"));
                    if (c != null && c.end == null) {
                        c.leakedAt = e.getStartTime();
                    }
                    timeline.add(new TimelineEntry(e.getStartTime(), Duration.ZERO,
                            "LEAK", e.getLong("contextId"), e.getString("path"), thread(e),
                            "never closed; garbage-collected" + (e.getString("openedAt") == null ? ""
                                    : ", opened at " + e.getString("openedAt"))));
                }
                case EventNames.DEADLOCK -> timeline.add(new TimelineEntry(e.getStartTime(), Duration.ZERO,
                        "DEADLOCK", 0, "", thread(e), orLost(e.getString("cycle"))
                        + (e.hasField("existing") && e.getBoolean("existing") ? " (found before the recording started)"
                        : "")));
                default -> {
                    // other events are not about contexts
                }
            }
        }
        Instant start = chunks.map(RecordingSpan::start).orElse(firstEvent == null ? Instant.EPOCH : firstEvent);
        Instant end = chunks.map(RecordingSpan::end).orElse(lastEvent == null ? start : lastEvent);
        // the chunk headers and the events' own clock agree to within ticks; never let an event fall outside
        if (firstEvent != null && firstEvent.isBefore(start)) {
            start = firstEvent;
        }
        if (lastEvent != null && lastEvent.isAfter(end)) {
            end = lastEvent;
        }
        // a sighting in the second half of the last chunk was emitted as it ended: in progress to the end
        Instant stopped = chunks.map(c -> c.lastChunkStart().plus(Duration.between(c.lastChunkStart(), c.end())
                .dividedBy(2))).orElse(null);
        addInProgress(seenInProgress.values(), stopped, end, locks, timeline);
        List<RecordedWarning> warnings = new ArrayList<>();
        for (RecordedEvent e : warningEvents) {
            RecordedWarning w = new RecordedWarning(e.getStartTime(), orLost(e.getString("severity")),
                    orLost(e.getString("kind")), orLost(e.getString("message")), e.getString("path"), e.getString("lockName"), e.getDuration("lasted"),
                    stopped != null && !e.getStartTime().isBefore(stopped));
            warnings.add(w);
            timeline.add(new TimelineEntry(w.time(), Duration.ZERO, "WARNING", 0, w.path() == null ? "" : w.path(),
                    null, w.severity() + " " + w.kind() + ": " + w.message()));
        }
        List<RecordedContext> roots = new ArrayList<>();
        for (RecordedContext c : contexts.values()) {
            RecordedContext parent = contexts.get(c.parentId());
            if (parent == null || parent == c) {
                roots.add(c);
            } else {
                parent.children.add(c);
            }
        }
        for (RecordedContext c : contexts.values()) {
            c.children.sort(Comparator.comparingLong(RecordedContext::id));
        }
        roots.sort(Comparator.comparingLong(RecordedContext::id));
        see(roots, start, end);
        for (RecordedContext c : contexts.values()) {
            if (c.seenFrom == null) { // only a corrupt recording has parent links in a cycle: show them as roots
                roots.add(c);
                see(List.of(c), start, end);
            }
        }
        repairLostNames(roots, contexts);
        locks.replaceAll(l -> l.path() != null && l.lockName() != null ? l : new RecordedLock(l.kind(),
                orLost(l.lockName()), l.lockKind(), l.mode(), l.permits(), l.contextId(),
                l.path() != null ? l.path() : pathOf(contexts.get(l.contextId()), l.contextId()), l.thread(), l.start(), l.end(), l.holders(),
                l.acquired(), l.stillInProgress()));
        timeline.replaceAll(t -> t.path() != null ? t : new TimelineEntry(t.time(), t.duration(), t.kind(),
                t.contextId(), pathOf(contexts.get(t.contextId()), t.contextId()), t.thread(), t.detail()));
        timeline.sort(Comparator.comparing(TimelineEntry::time));
        return new ContextRecording(contexts, List.copyOf(roots), List.copyOf(timeline), List.copyOf(lockEvents),
                List.copyOf(locks), List.copyOf(cancels), List.copyOf(warnings), start, end);
    }

    /**
     * Fills in a context's name or path that the recording lost, from the other and its parent's path. A JVM writes
     * a string field as missing when its string pool lost the string (JDK 17 to 20 could, for events committed by a
     * thread new to the recording): better a path rebuilt from the tree than none.
     */
    private static void repairLostNames(List<RecordedContext> roots, Map<Long, RecordedContext> contexts) {
        ArrayDeque<RecordedContext> pending = new ArrayDeque<>(roots);
        while (!pending.isEmpty()) {
            RecordedContext c = pending.pop();
            if (c.name == null && c.path != null) {
                c.name = c.path.substring(c.path.lastIndexOf('.') + 1); // names hold no dots
            }
            if (c.path == null) {
                RecordedContext parent = contexts.get(c.parentId());
                String segment = c.name != null ? c.name : "#" + c.id();
                // a parent the recording never saw is named by its id, so the context does not pass for a root
                c.path = c.parentId() == 0 || parent == c ? segment
                        : (parent == null || parent.path == null ? "#" + c.parentId() : parent.path) + "." + segment;
            }
            pending.addAll(c.children);
        }
    }

    /** The path of {@code c}, or its id when the recording has no such context. */
    private static String pathOf(RecordedContext c, long id) {
        return c != null && c.path() != null ? c.path() : "#" + id;
    }

    /** A string field as printed: {@code (lost)} when the recording lost it. */
    private static String orLost(String s) {
        return s == null ? "(lost)" : s;
    }

    /**
     * Works out the part of each context's life the recording saw. A context is in the tree from its creation (the
     * recording's start if it was created before, never before its parent) until it ended, or until its last
     * descendant did, as an ended context stays in the tree while its children run; one still there when the
     * recording stopped is seen to the recording's end. Iterative: a tree may be thousands of levels deep.
     */
    private static void see(List<RecordedContext> roots, Instant recordingStart, Instant recordingEnd) {
        List<RecordedContext> parentsFirst = new ArrayList<>();
        ArrayDeque<RecordedContext> pending = new ArrayDeque<>();
        for (RecordedContext root : roots) {
            if (root.seenFrom == null) {
                root.seenFrom = root.existedBefore() ? recordingStart : root.start();
                pending.push(root);
            }
        }
        while (!pending.isEmpty()) {
            RecordedContext c = pending.pop();
            parentsFirst.add(c);
            for (RecordedContext child : c.children) {
                if (child.seenFrom == null) {
                    Instant from = child.existedBefore() ? recordingStart : child.start();
                    child.seenFrom = from.isBefore(c.seenFrom) ? c.seenFrom : from;
                    pending.push(child);
                }
            }
        }
        for (int i = parentsFirst.size() - 1; i >= 0; i--) { // children before their parents
            RecordedContext c = parentsFirst.get(i);
            Instant gone = c.end != null ? c.end : c.leakedAt;
            Instant until = gone == null ? recordingEnd : gone;
            boolean atEnd = gone == null;
            for (RecordedContext child : c.children) {
                if (child.seenUntil == null) { // a cycle back to a context not worked out yet
                    continue;
                }
                if (child.seenUntil.isAfter(until)) {
                    until = child.seenUntil;
                }
                atEnd |= child.presentAtRecordingEnd;
            }
            c.seenUntil = until.isBefore(c.seenFrom) ? c.seenFrom : until;
            c.presentAtRecordingEnd = atEnd;
        }
    }

    private static RecordedLock lock(RecordedLock.Kind kind, RecordedEvent e) {
        boolean wait = kind == RecordedLock.Kind.WAIT;
        return new RecordedLock(kind, e.getString("lockName"), e.getString("lockKind"), e.getString("mode"),
                wait ? e.getInt("permits") : 0, e.getLong("contextId"), e.getString("path"), thread(e),
                e.getStartTime(), e.getEndTime(), wait ? e.getString("holders") : "", !wait || e.getBoolean("acquired"),
                false);
    }

    /** What makes two sightings of a hold or wait in progress the same one: everything but when it was seen. */
    private static List<Object> inProgressKey(RecordedEvent e) {
        boolean wait = e.getEventType().getName().equals(EventNames.LOCK_WAIT_IN_PROGRESS);
        return List.of(wait, String.valueOf(e.getString("lockName")), String.valueOf(e.getString("mode")),
                e.getLong("contextId"), String.valueOf(e.getString(wait ? "waiterThread" : "holderThread")),
                e.getLong("since"));
    }

    /**
     * Adds the holds and waits last seen in progress at a chunk boundary, but not those a LockHold or LockWait
     * event also covers: seen in progress at a boundary and ended later, over the threshold, they are recorded
     * whole already.
     */
    private static void addInProgress(Iterable<RecordedEvent> lastSightings, Instant stopped, Instant recordingEnd,
                                      List<RecordedLock> locks, List<TimelineEntry> timeline) {
        Map<Long, List<RecordedLock>> endedByContext = new java.util.HashMap<>();
        for (RecordedLock l : locks) {
            endedByContext.computeIfAbsent(l.contextId(), k -> new ArrayList<>()).add(l);
        }
        for (RecordedEvent e : lastSightings) {
            boolean wait = e.getEventType().getName().equals(EventNames.LOCK_WAIT_IN_PROGRESS);
            RecordedLock.Kind kind = wait ? RecordedLock.Kind.WAIT : RecordedLock.Kind.HOLD;
            Instant seen = e.getStartTime();
            String thread = e.getString(wait ? "waiterThread" : "holderThread");
            String lockName = e.getString("lockName");
            String mode = e.getString("mode");
            long contextId = e.getLong("contextId");
            List<RecordedLock> sameHolder = endedByContext.getOrDefault(contextId, List.of()).stream()
                    .filter(l -> Objects.equals(l.lockName(), lockName)
                            && sameThread(l.thread(), thread))
                    .toList();
            boolean recordedWhole = sameHolder.stream().anyMatch(l -> l.kind() == kind
                    && Objects.equals(l.mode(), mode) && !seen.isBefore(l.start()) && !seen.isAfter(l.end()));
            if (recordedWhole) {
                continue;
            }
            // "since" is by the tree's clock, which may run a tick ahead of JFR's
            Instant since = Instant.ofEpochMilli(e.getLong("since"));
            Instant start = since.isAfter(seen) ? seen : since;
            if (!wait) {
                // a hold that followed a recorded wait began as the wait ended: JFR's time, finer than the tree's.
                // Only a semaphore's hold may have grown by a wait after it began: then its permits differ, or the
                // wait ended too long after the tree's clock says the hold began
                int count = e.getInt("count");
                boolean permits = "PERMIT".equals(mode);
                Instant from = start.minus(SINCE_AHEAD);
                Instant latest = permits ? start.plus(SINCE_BEHIND) : seen;
                Instant waitEnded = sameHolder.stream()
                        .filter(l -> l.kind() == RecordedLock.Kind.WAIT && l.acquired() && l.end().isAfter(from)
                                && !l.end().isAfter(latest) && !l.end().isAfter(seen)
                                && (!permits || l.permits() == count))
                        .map(RecordedLock::end).max(Comparator.naturalOrder()).orElse(null);
                if (waitEnded != null) {
                    start = waitEnded;
                }
            }
            Instant until = stopped != null && !seen.isBefore(stopped) ? recordingEnd : seen;
            String holders = wait ? Objects.requireNonNullElse(e.getString("holders"), "") : "";
            RecordedLock l = new RecordedLock(kind, lockName, e.getString("lockKind"), mode,
                    e.getInt(wait ? "permits" : "count"), contextId, e.getString("path"), thread, start, until,
                    holders, !wait, true);
            locks.add(l);
            timeline.add(new TimelineEntry(start, l.duration(), wait ? "LOCK_WAIT" : "LOCK_HOLD", contextId,
                    l.path(), thread, "\"" + lockName + "\" " + mode + (!wait ? " (still held when last seen)"
                    : holders.isEmpty() ? " (still waiting when last seen)"
                    : " (still waiting when last seen, held by " + holders + ")")));
        }
        locks.sort(Comparator.comparing(RecordedLock::start));
    }

    /**
     * Whether a LockHold or LockWait event's thread ({@code name#id}, from JFR) is a sighting's: {@code name#id} too,
     * or only the name in recordings made before sightings carried the id.
     */
    private static boolean sameThread(String recorded, String sighted) {
        return recorded == null || sighted == null || recorded.equals(sighted)
                || (sighted.indexOf('#') < 0 && recorded.startsWith(sighted + "#"));
    }

    private static String thread(RecordedEvent e) {
        RecordedThread t = e.getThread();
        if (t == null) {
            return null;
        }
        String name = t.getJavaName() != null ? t.getJavaName() : t.getOSName();
        return (name == null || name.isEmpty() ? "unnamed" : name) + "#" + t.getJavaThreadId();
    }

    /** Contexts whose parent the recording does not know: normally the root(s). */
    public List<RecordedContext> roots() {
        return roots;
    }

    /** Every context the recording saw, in order of first appearance. */
    public List<RecordedContext> contexts() {
        return List.copyOf(contexts.values());
    }

    public Optional<RecordedContext> byId(long id) {
        return Optional.ofNullable(contexts.get(id));
    }

    /** The contexts with exactly this path (same-named siblings share one). */
    public List<RecordedContext> byPath(String path) {
        return contexts.values().stream().filter(c -> c.path().equals(path)).toList();
    }

    /** Everything that happened, in time order. */
    public List<TimelineEntry> timeline() {
        return timeline;
    }

    /** What happened to the contexts at or below {@code pathPrefix}, in time order. */
    public List<TimelineEntry> timeline(String pathPrefix) {
        Objects.requireNonNull(pathPrefix, "pathPrefix");
        return timeline.stream().filter(t -> t.path().equals(pathPrefix) || t.path().startsWith(pathPrefix + "."))
                .toList();
    }

    /** The LockWait and LockHold events, in time order. */
    public List<RecordedEvent> lockEvents() {
        return lockEvents;
    }

    /** The lock waits and holds, in order of their start. */
    public List<RecordedLock> locks() {
        return locks;
    }

    /** The warnings seen in effect at chunk boundaries, in time order: one sighting per boundary. */
    public List<RecordedWarning> warnings() {
        return warnings;
    }

    /** The cancels, in time order. */
    public List<RecordedCancel> cancels() {
        return cancels;
    }

    /**
     * When the recording started: the start of its first chunk (for a recording built from events alone, its first
     * event). Contexts that existed before are seen from here.
     */
    public Instant recordingStart() {
        return recordingStart;
    }

    /** When the recording ended: the end of its last chunk (or its last event). Contexts still running are seen to here. */
    public Instant recordingEnd() {
        return recordingEnd;
    }

    /**
     * The tree as it was at {@code t}: the contexts then alive, the locks then held and awaited.
     *
     * @throws IllegalArgumentException naming {@code t} and the recording's span when {@code t} is outside it
     */
    public RecordedMoment at(Instant t) {
        Objects.requireNonNull(t, "t");
        if (t.isBefore(recordingStart) || t.isAfter(recordingEnd)) {
            throw new IllegalArgumentException(t + " is outside the recording, which runs from " + recordingStart
                    + " to " + recordingEnd);
        }
        return new RecordedMoment(this, t);
    }

    /** The rebuilt tree as text: one line per context with its lifetime and outcome. */
    public String renderTree() {
        StringBuilder out = new StringBuilder();
        for (RecordedContext root : roots) {
            out.append(RecordedMoment.shown(line(root, rootLabel(root)))).append('\n');
            draw(root, "", out);
        }
        return out.toString();
    }

    /**
     * A root's name, or its path when its parent is not in the recording (the JDK's own settings record only the
     * end of contexts that lived 20 ms or more, so a slow request's service may be missing): it still says where
     * it belongs.
     */
    static String rootLabel(RecordedContext root) {
        return root.parentId() != 0 && root.parentId() != root.id() && root.path() != null ? root.path() : root.name();
    }

    private static void draw(RecordedContext parent, String lead, StringBuilder out) {
        // iterative over siblings, recursive over depth; a recording's depth is the tree's depth
        List<RecordedContext> kids = parent.children;
        for (int i = 0; i < kids.size(); i++) {
            boolean last = i == kids.size() - 1;
            RecordedContext c = kids.get(i);
            out.append(lead).append(last ? "└── " : "├── ").append(RecordedMoment.shown(line(c, c.name()))).append('\n');
            if (lead.length() < 4 * 256) {
                draw(c, lead + (last ? "    " : "│   "), out);
            }
        }
    }

    private static String line(RecordedContext c, String label) {
        String life = c.lifetime() != null ? c.outcome() + " after " + human(c.lifetime())
                : c.leakedAt() != null ? "leaked: garbage-collected without being closed" : "running";
        return label + " #" + c.id() + " (" + life + (c.existedBefore() ? ", existed before the recording" : "")
                + (c.message() == null ? "" : ": " + c.message()) + ")";
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1_000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        return (ms / 60_000) + "m " + (ms % 60_000 / 1000) + "s";
    }

    /** When the first and last context events were recorded. */
    public Optional<Instant> firstEvent() {
        return timeline.isEmpty() ? Optional.empty() : Optional.of(timeline.get(0).time());
    }
}
