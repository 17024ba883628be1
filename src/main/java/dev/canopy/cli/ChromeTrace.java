package dev.canopy.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.canopy.jfr.ContextRecording;
import dev.canopy.jfr.RecordedCancel;
import dev.canopy.jfr.RecordedContext;
import dev.canopy.jfr.RecordedLock;
import dev.canopy.jfr.TimelineEntry;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recording as Chrome trace-event JSON ({@code {"traceEvents": [...]}}), which Perfetto and chrome://tracing open,
 * laid out as the context tree.
 *
 * <p><b>Layout: one track per context, in tree order.</b> Every context is a complete ("X") slice on a track of its
 * own; a track is a "thread" of the trace's one process, named by the context's path, and tracks are numbered
 * parent first, children right below, so the track list reads as the tree ({@code global},
 * {@code global.http-proxy}, {@code global.http-proxy.request}, …). JSON traces give Perfetto no deeper grouping
 * than process and thread, so the path in each track's name carries the nesting. Contexts with the same path that never overlap
 * in time share a track, so a thousand sequential requests take a handful of tracks, not a thousand. The other
 * layout, nestable async slices ({@code b}/{@code e}), does not give a tree in both viewers: children nest under a
 * parent only when they share its {@code id}, siblings that overlap in time then break the nesting both viewers
 * require, and Perfetto puts async slices of different names on different tracks anyway. Thread tracks are also
 * the only ones both viewers bind flow arrows to.
 *
 * <p>Each context's slice covers exactly the part of its life the recording saw: from its creation, or the
 * recording's start for one created before, to its end, or the recording's end for one still running; a context
 * stays in the tree until its children end, so its slice covers theirs. Lock waits and holds are slices on the
 * track of the waiting or holding context, inside its slice; a flow arrow leads from each hold to the waits it
 * blocked. Cancels are instant events with their reason, deadlocks global instants. The JVM threads that created,
 * ran and ended a context are in its arguments; the threads of the trace are the context tracks, named by
 * {@code thread_name} metadata.
 *
 * <p>Times are microseconds from the recording's start, to the nanosecond (three decimals), written plain so both
 * viewers round them back to the same nanosecond: a child never appears to outlast its parent through rounding.
 */
final class ChromeTrace {
    private static final int PID = 1;
    /** The root's track; process-wide events name it too, as some readers expect a tid on every event. */
    private static final int FIRST_TRACK = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN, true);

    private final ContextRecording recording;
    private final Instant origin;
    private final List<Track> tracksInOrder = new ArrayList<>();
    private final Map<Long, Track> trackOfContext = new HashMap<>();
    private final Map<RecordedLock, Placed> placedLocks = new IdentityHashMap<>();
    private final Map<String, Integer> tracksPerName = new HashMap<>();
    private final List<Emitted> events = new ArrayList<>();

    /** A track: contexts of one path that never overlap, or the overflow for lock slices that could not nest. */
    private static final class Track {
        final String path;
        final List<RecordedContext> contexts = new ArrayList<>();
        final List<Track> children = new ArrayList<>();
        final List<Track> lockOverflow = new ArrayList<>();
        /** The lock slices placed here, per context: each new one must nest with them or stay clear of them. */
        final Map<Long, List<long[]>> lockSlices = new HashMap<>();
        long busyUntil = Long.MIN_VALUE;
        int tid;
        String name;

        Track(String path) {
            this.path = path;
        }
    }

    private record Placed(Track track, long from, long until) {
    }

    /** One trace event, with the keys it is sorted by: time, then longer slices first so parents precede children. */
    private record Emitted(long at, long length, ObjectNode json) {
    }

    private ChromeTrace(ContextRecording recording) {
        this.recording = recording;
        this.origin = recording.recordingStart();
    }

    static String of(ContextRecording recording) throws IOException {
        return new ChromeTrace(recording).render();
    }

    private String render() throws IOException {
        List<Track> top = pack(recording.roots());
        layOut(top);
        List<RecordedLock> locks = new ArrayList<>(recording.locks());
        locks.sort(Comparator.comparingLong((RecordedLock l) -> nanos(l.start()))
                .thenComparing(Comparator.comparingLong((RecordedLock l) -> nanos(l.end())).reversed()));
        for (RecordedLock l : locks) {
            place(l);
        }
        number(top);
        for (Track t : tracksInOrder) {
            for (RecordedContext c : t.contexts) {
                contextSlice(t, c);
            }
        }
        placedLocks.forEach(this::lockSlice);
        flows();
        cancels();
        deadlocks();

        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode out = root.putArray("traceEvents");
        metadata(out);
        events.sort(Comparator.comparingLong(Emitted::at).thenComparing(Emitted::length, Comparator.reverseOrder()));
        for (Emitted e : events) {
            out.add(e.json());
        }
        root.put("displayTimeUnit", "ms");
        ObjectNode other = root.putObject("otherData");
        other.put("recordingStart", recording.recordingStart().toString());
        other.put("recordingEnd", recording.recordingEnd().toString());
        other.put("timestamps", "microseconds since recordingStart");
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    // ------------------------------------------------------------------ layout

    /** Packs contexts onto tracks: one group of tracks per path, first fit, so non-overlapping ones share a track. */
    private List<Track> pack(List<RecordedContext> contexts) {
        List<RecordedContext> byStart = new ArrayList<>(contexts);
        byStart.sort(Comparator.comparing(RecordedContext::seenFrom).thenComparingLong(RecordedContext::id));
        Map<String, List<Track>> byPath = new LinkedHashMap<>();
        for (RecordedContext c : byStart) {
            List<Track> group = byPath.computeIfAbsent(c.path(), p -> new ArrayList<>());
            long from = nanos(c.seenFrom());
            Track fit = null;
            for (Track t : group) {
                // a slice ending where the next begins is no overlap: both viewers treat slices as half-open
                if (t.busyUntil <= from) {
                    fit = t;
                    break;
                }
            }
            if (fit == null) {
                fit = new Track(c.path());
                group.add(fit);
            }
            fit.contexts.add(c);
            fit.busyUntil = Math.max(fit.busyUntil, nanos(c.seenUntil()));
            trackOfContext.put(c.id(), fit);
        }
        List<Track> tracks = new ArrayList<>();
        byPath.values().forEach(tracks::addAll);
        return tracks;
    }

    /** Packs the children of every track's contexts onto tracks below it; breadth first, as trees can be deep. */
    private void layOut(List<Track> top) {
        ArrayDeque<Track> pending = new ArrayDeque<>(top);
        while (!pending.isEmpty()) {
            Track track = pending.poll();
            List<RecordedContext> children = new ArrayList<>();
            for (RecordedContext c : track.contexts) {
                children.addAll(c.children());
            }
            track.children.addAll(pack(children));
            pending.addAll(track.children);
        }
    }

    /**
     * Numbers tracks parent first. chrome://tracing orders threads by {@code thread_sort_index}, set to this number;
     * Perfetto ignores that metadata, so the thread ids and the order the tracks first appear in the file (their
     * names come first) follow the tree too.
     */
    private void number(List<Track> top) {
        ArrayDeque<Track> pending = new ArrayDeque<>();
        for (int i = top.size() - 1; i >= 0; i--) {
            pending.push(top.get(i));
        }
        while (!pending.isEmpty()) {
            Track track = pending.pop();
            track.tid = tracksInOrder.size() + 1;
            track.name = uniqueName(track.path);
            tracksInOrder.add(track);
            for (Track overflow : track.lockOverflow) {
                overflow.tid = tracksInOrder.size() + 1;
                overflow.name = uniqueName(track.path + " · locks");
                tracksInOrder.add(overflow);
            }
            for (int i = track.children.size() - 1; i >= 0; i--) {
                pending.push(track.children.get(i));
            }
        }
    }

    private String uniqueName(String base) {
        int n = tracksPerName.merge(base, 1, Integer::sum);
        return n == 1 ? base : base + " (" + n + ")";
    }

    /**
     * Puts a lock slice on its context's track, inside the context's slice. Slices on a track must nest or stay
     * apart; two waits or holds of one context on different threads may overlap without nesting, and the later one
     * then goes to an overflow track right below.
     */
    private void place(RecordedLock lock) {
        Track track = trackOfContext.get(lock.contextId());
        RecordedContext context = recording.byId(lock.contextId()).orElse(null);
        if (track == null || context == null) {
            return; // its context is not in the recording: there is no track to show it on
        }
        long from = clamp(nanos(lock.start()), nanos(context.seenFrom()), nanos(context.seenUntil()));
        long until = clamp(nanos(lock.end()), from, nanos(context.seenUntil()));
        Track target = fits(track, lock.contextId(), from, until) ? track : null;
        for (int i = 0; target == null && i < track.lockOverflow.size(); i++) {
            if (fits(track.lockOverflow.get(i), lock.contextId(), from, until)) {
                target = track.lockOverflow.get(i);
            }
        }
        if (target == null) {
            target = new Track(track.path);
            track.lockOverflow.add(target);
        }
        target.lockSlices.computeIfAbsent(lock.contextId(), k -> new ArrayList<>()).add(new long[]{from, until});
        placedLocks.put(lock, new Placed(target, from, until));
    }

    /** Whether [from, until] nests with, or stays clear of, every lock slice of the context on the track. */
    private static boolean fits(Track track, long contextId, long from, long until) {
        for (long[] other : track.lockSlices.getOrDefault(contextId, List.of())) {
            boolean apart = until <= other[0] || other[1] <= from;
            boolean inside = other[0] <= from && until <= other[1];
            boolean around = from <= other[0] && other[1] <= until;
            if (!apart && !inside && !around) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ events

    private void contextSlice(Track track, RecordedContext c) {
        long from = nanos(c.seenFrom());
        long until = nanos(c.seenUntil());
        ObjectNode e = slice(track, c.name(), "context", from, until);
        ObjectNode args = e.putObject("args");
        args.put("path", c.path());
        args.put("id", c.id());
        args.put("parentId", c.parentId());
        args.put("outcome", c.outcome() != null ? c.outcome() : c.leakedAt() != null ? "leaked" : "running");
        if (c.message() != null) {
            args.put("message", c.message());
        }
        if (c.exceptionClass() != null) {
            args.put("exceptionClass", c.exceptionClass());
        }
        if (c.existedBefore()) {
            args.put("createdBeforeTheRecording", true);
        }
        if (c.end() != null && c.end().isBefore(c.seenUntil())) {
            args.put("ended", offset(nanos(c.end())) + ", then stayed in the tree until its children ended");
        }
        if (c.end() == null && c.leakedAt() == null) {
            args.put("stillRunningWhenTheRecordingEnded", true);
        }
        if (c.lifetime() != null) {
            args.put("lifetime", c.lifetime().toString());
        }
        if (c.thread() != null && !c.existedBefore()) { // else it is the thread that started the recording
            args.put("createdOnThread", c.thread());
        }
        if (c.endThread() != null) {
            args.put("endedOnThread", c.endThread());
        }
        events.add(new Emitted(from, until - from, e));
    }

    private void lockSlice(RecordedLock lock, Placed at) {
        boolean wait = lock.kind() == RecordedLock.Kind.WAIT;
        ObjectNode e = slice(at.track(), (wait ? "wait " : "hold ") + lock.lockName(),
                wait ? "lock-wait" : "lock-hold", at.from(), at.until());
        ObjectNode args = e.putObject("args");
        args.put("lock", lock.lockName());
        args.put("lockKind", lock.lockKind());
        args.put("mode", lock.mode());
        args.put("path", lock.path());
        args.put("contextId", lock.contextId());
        if (lock.thread() != null) {
            args.put("thread", lock.thread());
        }
        if (lock.stillInProgress()) {
            args.put("stillInProgressWhenLastSeen", true); // the slice ends where the recording last saw it
        }
        if (wait) {
            args.put(lock.stillInProgress() ? "holdersWhenLastSeen" : "holdersWhenTheWaitBegan", lock.holders());
            args.put("acquired", lock.acquired());
            if (lock.permits() > 0) {
                args.put("permits", lock.permits());
            }
        }
        events.add(new Emitted(at.from(), at.until() - at.from(), e));
    }

    /**
     * An arrow from each hold to each wait it blocked: the hold of a context the wait named as a holder when it
     * began, on the same lock, in progress at that moment (for a semaphore, only the first of them to give its
     * permit back). Both ends sit at the middle of the time the two slices
     * share, where each viewer finds the slice to bind the arrow to ({@code bp: "e"}: the enclosing slice).
     */
    private void flows() {
        Map<String, List<RecordedLock>> holdsByLock = new HashMap<>();
        for (RecordedLock l : placedLocks.keySet()) {
            if (l.kind() == RecordedLock.Kind.HOLD) {
                holdsByLock.computeIfAbsent(l.lockName(), k -> new ArrayList<>()).add(l);
            }
        }
        List<RecordedLock> waits = placedLocks.keySet().stream().filter(l -> l.kind() == RecordedLock.Kind.WAIT)
                .sorted(Comparator.comparing(RecordedLock::start)).toList();
        long flowId = 0;
        for (RecordedLock wait : waits) {
            List<String> holders = wait.holderPaths();
            if (holders.isEmpty()) {
                continue;
            }
            Placed w = placedLocks.get(wait);
            List<RecordedLock> blockers = new ArrayList<>();
            for (RecordedLock hold : holdsByLock.getOrDefault(wait.lockName(), List.of())) {
                if (hold.contextId() != wait.contextId() && holders.contains(hold.path())
                        && !hold.start().isAfter(wait.start()) && hold.end().isAfter(wait.start())) {
                    blockers.add(hold);
                }
            }
            if (wait.mode().equals("PERMIT") && blockers.size() > 1) {
                // any permit given back lets a semaphore waiter in: one arrow, from the first release, not one
                // from every holder of a busy pool
                blockers = List.of(blockers.stream().min(Comparator.comparing(RecordedLock::end)).orElseThrow());
            }
            for (RecordedLock hold : blockers) {
                Placed h = placedLocks.get(hold);
                long shareFrom = Math.max(h.from(), w.from());
                long shareUntil = Math.min(h.until(), w.until());
                if (shareUntil <= shareFrom) {
                    continue; // clamped to their contexts, they no longer meet: nothing to bind an arrow to
                }
                long at = shareFrom + (shareUntil - shareFrom) / 2;
                flowId++;
                events.add(new Emitted(at, -1, flowEnd("s", flowId, h.track(), at, hold, wait)));
                ObjectNode end = flowEnd("f", flowId, w.track(), at, hold, wait);
                end.put("bp", "e");
                events.add(new Emitted(at, -2, end));
            }
        }
    }

    private ObjectNode flowEnd(String phase, long id, Track track, long at, RecordedLock hold, RecordedLock wait) {
        ObjectNode e = MAPPER.createObjectNode();
        e.put("name", "blocked " + wait.lockName());
        e.put("cat", "lock-flow");
        e.put("ph", phase);
        e.put("id", id);
        e.put("ts", micros(at));
        e.put("pid", PID);
        e.put("tid", track.tid);
        ObjectNode args = e.putObject("args");
        args.put("holder", hold.path() + " #" + hold.contextId());
        args.put("waiter", wait.path() + " #" + wait.contextId());
        return e;
    }

    private void cancels() {
        for (RecordedCancel cancel : recording.cancels()) {
            Track track = trackOfContext.get(cancel.contextId());
            RecordedContext c = recording.byId(cancel.contextId()).orElse(null);
            if (track == null || c == null) {
                continue;
            }
            long at = clamp(nanos(cancel.time()), nanos(c.seenFrom()), nanos(c.seenUntil()));
            ObjectNode e = instant(track, "cancel: " + cancel.reason(), "cancel", at, "t");
            ObjectNode args = e.putObject("args");
            args.put("reason", cancel.reason());
            args.put("path", cancel.path());
            args.put("initiator", cancel.initiatorPath());
            args.put("contextsCancelled", cancel.subtreeSize());
            if (cancel.thread() != null) {
                args.put("thread", cancel.thread());
            }
            events.add(new Emitted(at, 0, e));
        }
    }

    private void deadlocks() {
        for (TimelineEntry t : recording.timeline()) {
            if (t.kind().equals("DEADLOCK")) {
                long at = nanos(t.time());
                ObjectNode e = instant(null, "deadlock", "deadlock", at, "g");
                e.putObject("args").put("cycle", t.detail());
                events.add(new Emitted(at, 0, e));
            }
        }
    }

    private void metadata(ArrayNode out) {
        ObjectNode process = out.addObject();
        process.put("name", "process_name");
        process.put("ph", "M");
        process.put("pid", PID);
        process.put("tid", FIRST_TRACK);
        process.putObject("args").put("name", "canopy context tree");
        for (Track t : tracksInOrder) {
            ObjectNode name = out.addObject();
            name.put("name", "thread_name");
            name.put("ph", "M");
            name.put("pid", PID);
            name.put("tid", t.tid);
            name.putObject("args").put("name", t.name);
            // chrome://tracing orders tracks by this; Perfetto ignores it (see number())
            ObjectNode order = out.addObject();
            order.put("name", "thread_sort_index");
            order.put("ph", "M");
            order.put("pid", PID);
            order.put("tid", t.tid);
            order.putObject("args").put("sort_index", t.tid);
        }
    }

    private ObjectNode slice(Track track, String name, String category, long from, long until) {
        ObjectNode e = MAPPER.createObjectNode();
        e.put("name", name);
        e.put("cat", category);
        e.put("ph", "X");
        e.put("ts", micros(from));
        e.put("dur", micros(until - from));
        e.put("pid", PID);
        e.put("tid", track.tid);
        return e;
    }

    private ObjectNode instant(Track track, String name, String category, long at, String scope) {
        ObjectNode e = MAPPER.createObjectNode();
        e.put("name", name);
        e.put("cat", category);
        e.put("ph", "i");
        e.put("s", scope);
        e.put("ts", micros(at));
        e.put("pid", PID);
        e.put("tid", track == null ? FIRST_TRACK : track.tid); // ignored for a global instant, but always present
        return e;
    }

    // ------------------------------------------------------------------ time

    /** Nanoseconds since the recording's start: exact, so containment checks never suffer rounding. */
    private long nanos(Instant t) {
        return Duration.between(origin, t).toNanos();
    }

    private static BigDecimal micros(long nanos) {
        return BigDecimal.valueOf(nanos, 3);
    }

    private static String offset(long nanos) {
        return String.format(java.util.Locale.ROOT, "+%.3fs", nanos / 1e9);
    }

    private static long clamp(long value, long min, long max) {
        return Math.max(min, Math.min(max, value));
    }
}
