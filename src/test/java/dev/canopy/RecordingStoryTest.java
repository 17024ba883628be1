package dev.canopy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.jfr.ContextRecording;
import dev.canopy.jfr.RecordedContext;
import dev.canopy.jfr.RecordedLock;
import dev.canopy.jfr.RecordedMoment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Recordings that tell the whole story: the Chrome trace export follows the context tree, and {@code jfr tree --at}
 * shows the tree as it was at any moment. Recordings are made from outside, in JVMs of their own, as a user would.
 */
class RecordingStoryTest {
    private static final ObjectMapper EXACT = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /** A recording of {@link ScriptedTreeApp}, with each change of its tree between two known commands. */
    private static Path scripted;
    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    /** The command line, run in-process as {@link CliTest} runs it. */
    static CliTest.Result cli(String... args) {
        return CliTest.cli(args);
    }

    @BeforeAll
    static void recordTheScriptedApp() throws Exception {
        scripted = shared.resolve("scripted.jfr");
        try (Scripted app = Scripted.start()) {
            String jcmd = DemoProcess.tool("jcmd").toString();
            String pid = String.valueOf(app.pid);
            // every wait and hold, however short: the default template keeps only those over 10 ms
            Path debug = Path.of("jfr-templates/canopy-debug.jfc").toAbsolutePath();
            DemoProcess.run(List.of(jcmd, pid, "JFR.start", "name=story", "settings=" + debug));
            for (String step : List.of("open-phase", "hold", "wait", "release", "cancel", "close-phase")) {
                app.tell(step);
            }
            DemoProcess.run(List.of(jcmd, pid, "JFR.stop", "name=story", "filename=" + scripted));
        }
    }

    @AfterAll
    static void forget() {
        scripted = null;
    }

    // ------------------------------------------------------------------ the trace export

    @Test
    void theDemoRecordedWithTheCliExportsAsATreeOfTracks() throws Exception {
        Path recording = dir.resolve("demo.jfr");
        Path traceFile = dir.resolve("demo.json");
        try (DemoProcess demo = DemoProcess.start()) {
            CliTest.Result record = cli("record", String.valueOf(demo.pid), "--duration", "3s", "-o", recording.toString());
            assertEquals(0, record.exit(), record.err());
        }
        CliTest.Result export = cli("jfr", "chrome", recording.toString(), "-o", traceFile.toString());
        assertEquals(0, export.exit(), export.err());
        Trace trace = Trace.checked(EXACT.readTree(traceFile.toFile()));

        // the services, sessions and handlers of the demo lived through the whole recording, and show so
        for (String path : List.of("global", "global.remote-access", "global.remote-access.alice@bv478gen",
                "global.remote-access.alice@bv478gen.stdout-handler", "global.http-proxy",
                "global.http-proxy.connection-pool", "global.chat-service", "global.chat-service.message-relay")) {
            List<Slice> slices = trace.contextsAt(path);
            assertEquals(1, slices.size(), path);
            assertEquals(0, slices.get(0).from(), path + " starts with the recording");
            assertEquals(trace.recordingLength(), slices.get(0).until(), path + " ends with the recording");
        }
        assertTrue(trace.contextsAt("global.http-proxy.request").size() > 3, "requests come and go");

        // no context on the track of the thread that started the recording (it announced the existing ones)
        ContextRecording rec = ContextRecording.read(recording);
        String announcer = rec.byPath("global").get(0).thread();
        assertNotNull(announcer);
        String announcerName = announcer.substring(0, announcer.lastIndexOf('#'));
        for (Slice s : trace.slices) {
            assertFalse(trace.trackNames.get(s.tid()).contains(announcerName), s.toString());
        }
    }

    @Test
    void theTraceLinksTheHolderToTheWaiterAndShowsTheCancel() throws Exception {
        Path traceFile = dir.resolve("scripted.json");
        CliTest.Result export = cli("jfr", "chrome", scripted.toString(), "-o", traceFile.toString());
        assertEquals(0, export.exit(), export.err());
        Trace trace = Trace.checked(EXACT.readTree(traceFile.toFile()));
        ContextRecording rec = ContextRecording.read(scripted);

        // the phase, opened and closed during the recording, covers exactly its life
        RecordedContext phase = rec.byPath("global.service.phase").get(0);
        Slice phaseSlice = trace.contextsAt("global.service.phase").get(0);
        assertEquals(trace.nanos(phase.start()), phaseSlice.from());
        assertEquals(trace.nanos(phase.end()), phaseSlice.until());
        for (String longLived : List.of("global", "global.service", "global.service.keeper")) {
            Slice s = trace.contextsAt(longLived).get(0);
            assertEquals(List.of(0L, trace.recordingLength()), List.of(s.from(), s.until()), longLived);
        }

        // one arrow, from the holder's hold to the waiter's wait
        assertEquals(1, trace.flows.size(), trace.flows.toString());
        Flow flow = trace.flows.get(0);
        assertEquals("global.service.holder", trace.trackNames.get(flow.from().tid()));
        assertEquals("global.service.waiter", trace.trackNames.get(flow.to().tid()));
        assertEquals("hold shared-lock", trace.enclosing(flow.from()).name());
        assertEquals("wait shared-lock", trace.enclosing(flow.to()).name());

        // the lock slices sit on the holding and waiting contexts' tracks, inside their slices
        Slice wait = trace.slices.stream().filter(s -> s.name().equals("wait shared-lock")).findFirst().orElseThrow();
        RecordedLock recordedWait = rec.locks().stream().filter(l -> l.kind() == RecordedLock.Kind.WAIT).findFirst()
                .orElseThrow();
        assertEquals(trace.nanos(recordedWait.start()), wait.from());
        assertEquals(trace.nanos(recordedWait.end()), wait.until());

        // the cancel is an instant on the cancelled context's track, with its reason
        JsonNode cancel = trace.instants.stream().filter(i -> i.path("cat").asText().equals("cancel")).findFirst()
                .orElseThrow();
        assertEquals(ScriptedTreeApp.CANCEL_REASON, cancel.get("args").get("reason").asText());
        assertEquals("global.service.doomed", trace.trackNames.get(cancel.get("tid").asInt()));
        Slice doomed = trace.contextsAt("global.service.doomed").get(0);
        assertEquals("cancelled", doomed.args().get("outcome").asText());
    }

    // ------------------------------------------------------------------ the tree at a moment

    @Test
    void theTreeAtAMomentShowsWhatWasAliveAndWhichLocksWereHeldAndAwaited() throws Exception {
        ContextRecording rec = ContextRecording.read(scripted);
        RecordedContext phase = rec.byPath("global.service.phase").get(0);
        RecordedLock hold = rec.locks().stream()
                .filter(l -> l.kind() == RecordedLock.Kind.HOLD && l.path().equals("global.service.holder"))
                .findFirst().orElseThrow();
        RecordedLock wait = rec.locks().stream().filter(l -> l.kind() == RecordedLock.Kind.WAIT).findFirst()
                .orElseThrow();
        Instant start = rec.recordingStart();

        // before anything happened: the tree as it was when the recording began
        String atStart = tree("+0s");
        assertTrue(atStart.contains("global #"), atStart);
        assertTrue(atStart.contains("└── service #") && atStart.contains("└── keeper #"), atStart);
        assertFalse(atStart.contains("phase"), atStart);

        // the phase is open, the holder not yet there: asked for as an ISO instant
        RecordedContext holder = rec.byPath("global.service.holder").get(0);
        String phaseOpen = tree(middle(phase.start(), holder.start()).toString());
        assertTrue(phaseOpen.contains("phase #" + phase.id() + " (running "), phaseOpen);
        assertFalse(phaseOpen.contains("holder") || phaseOpen.contains("🔒"), phaseOpen);

        // while the waiter waits and the holder still holds (the waiter may get the lock a little after the holder
        // let go): as a time of day, to the nanosecond, then as an offset into the recording
        Instant waiting = middle(wait.start(), wait.end().isBefore(hold.end()) ? wait.end() : hold.end());
        String timeOfDay = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSSSSS").withZone(ZoneOffset.UTC).format(waiting);
        String offset = "+" + java.math.BigDecimal.valueOf(Duration.between(start, waiting).toNanos(), 6) + "ms";
        for (String at : List.of(timeOfDay, offset)) {
            String locked = tree(at);
            assertTrue(locked.contains("holder #" + hold.contextId()), locked);
            assertTrue(locked.contains("🔒 HOLDS \"shared-lock\" EXCLUSIVE"), locked);
            assertTrue(locked.contains("⏳ WAITING \"shared-lock\" EXCLUSIVE")
                    && locked.contains("held by global.service.holder when the wait began"), locked);
            assertTrue(locked.contains("phase #"), locked);
        }

        // after the phase closed and the tasks ended: back to the long-lived tree
        String after = tree(middle(phase.end(), rec.recordingEnd()).toString());
        assertFalse(after.contains("phase") || after.contains("holder") || after.contains("waiter")
                || after.contains("doomed") || after.contains("🔒") || after.contains("⏳"), after);
        assertTrue(after.contains("keeper #"), after);

        // the same moments through the API
        RecordedMoment moment = rec.at(waiting);
        assertEquals(List.of("global", "global.service", "global.service.keeper", "global.service.phase",
                        "global.service.holder", "global.service.waiter"),
                moment.contexts().stream().map(RecordedContext::path).toList());
        assertEquals(List.of(hold), moment.held());
        assertEquals(List.of(wait), moment.awaited());
        RecordedContext doomed = rec.byPath("global.service.doomed").get(0);
        RecordedMoment cancelledNotEnded = rec.at(rec.cancels().get(0).time());
        assertTrue(cancelledNotEnded.cancellation(doomed).isPresent());
        assertEquals(ScriptedTreeApp.CANCEL_REASON, cancelledNotEnded.cancellation(doomed).get().reason());
    }

    /**
     * An operator dumps a running recording (production template, 10 ms thresholds) while a lock is stuck: the hold
     * and the wait have not ended, so only their sightings at the dump can say who holds it and who waits.
     */
    @Test
    void aRecordingDumpedWhileALockIsStuckShowsItsHolderAndWaiterAtTheEnd() throws Exception {
        Path stuck = dir.resolve("stuck.jfr");
        try (Scripted app = Scripted.start()) {
            String jcmd = DemoProcess.tool("jcmd").toString();
            String pid = String.valueOf(app.pid);
            Path template = Path.of("jfr-templates/canopy.jfc").toAbsolutePath();
            DemoProcess.run(List.of(jcmd, pid, "JFR.start", "name=stuck", "settings=" + template));
            app.tell("hold");
            app.tell("wait");
            DemoProcess.run(List.of(jcmd, pid, "JFR.dump", "name=stuck", "filename=" + stuck));
            app.tell("release");
        }
        CliTest.Result r = cli("jfr", "tree", stuck.toString(), "--at", "end");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("└── 🔒 HOLDS \"shared-lock\" EXCLUSIVE"), r.out());
        assertTrue(r.out().contains("└── ⏳ WAITING \"shared-lock\" EXCLUSIVE")
                && r.out().contains("held by global.service.holder when last seen"), r.out());
        CliTest.Result timeline = cli("jfr", "timeline", stuck.toString(), "--path", "global.service.holder");
        assertTrue(timeline.out().contains("\"shared-lock\" EXCLUSIVE (still held when last seen)"), timeline.out());
        assertEquals(cli("jfr", "tree", stuck.toString(), "--at", "+0s").out(),
                cli("jfr", "tree", stuck.toString(), "--at", "start").out());
    }

    @Test
    void aBadOrOutOfRangeMomentIsOneClearLine() {
        CliTest.Result word = cli("jfr", "tree", scripted.toString(), "--at", "yesterday");
        assertEquals(2, word.exit());
        assertEquals(1, word.err().strip().lines().count(), word.err());
        assertTrue(word.err().contains("\"yesterday\"") && word.err().contains("+1.5s"), word.err());

        for (String bad : List.of("25:00", "+", "+1.5 parsecs", "+-2s", "2024-13-45T10:00:00Z")) {
            CliTest.Result r = cli("jfr", "tree", scripted.toString(), "--at", bad);
            assertEquals(2, r.exit(), bad);
            assertTrue(r.err().contains("\"" + bad + "\""), r.err());
        }

        CliTest.Result late = cli("jfr", "tree", scripted.toString(), "--at", "+1h");
        assertEquals(2, late.exit());
        assertTrue(late.err().startsWith("canopy: --at +1h is outside the recording, which runs from "), late.err());
        CliTest.Result early = cli("jfr", "tree", scripted.toString(), "--at", "2001-01-01T00:00:00Z");
        assertTrue(early.err().contains("2001-01-01T00:00:00Z is outside the recording"), early.err());

        CliTest.Result misplaced = cli("jfr", "timeline", scripted.toString(), "--at", "+1s");
        assertEquals(2, misplaced.exit());
        assertTrue(misplaced.err().contains("--at goes with jfr tree only"), misplaced.err());
    }

    private static String tree(String at) {
        CliTest.Result r = cli("jfr", "tree", scripted.toString(), "--at", at);
        assertEquals(0, r.exit(), at + ": " + r.err());
        return r.out();
    }

    private static Instant middle(Instant a, Instant b) {
        return a.plus(Duration.between(a, b).dividedBy(2));
    }

    // ------------------------------------------------------------------ the trace, checked

    record Slice(int tid, String name, String category, long from, long until, JsonNode args) {
    }

    record FlowEnd(int tid, long at) {
    }

    record Flow(FlowEnd from, FlowEnd to) {
    }

    /**
     * A Chrome trace read back and checked against the Trace Event Format's rules as Perfetto and chrome://tracing
     * apply them. Times are kept in exact nanoseconds (the export writes microseconds with three decimals).
     */
    static final class Trace {
        final Map<Integer, String> trackNames = new HashMap<>();
        final List<Slice> slices = new ArrayList<>();
        final List<Flow> flows = new ArrayList<>();
        final List<JsonNode> instants = new ArrayList<>();
        Instant recordingStart;
        Instant recordingEnd;

        static Trace checked(JsonNode root) {
            Trace t = new Trace();
            t.recordingStart = Instant.parse(root.get("otherData").get("recordingStart").asText());
            t.recordingEnd = Instant.parse(root.get("otherData").get("recordingEnd").asText());
            Map<String, List<JsonNode>> asyncById = new HashMap<>();
            Map<Long, List<JsonNode>> flowEnds = new HashMap<>();
            for (JsonNode e : root.get("traceEvents")) {
                for (String key : List.of("ph", "name", "pid", "tid")) {
                    assertTrue(e.has(key), "every event has " + key + ": " + e);
                }
                String ph = e.get("ph").asText();
                switch (ph) {
                    case "M" -> {
                        if (e.get("name").asText().equals("thread_name")) {
                            assertNull(t.trackNames.put(e.get("tid").asInt(), e.get("args").get("name").asText()),
                                    "one name per track: " + e);
                        }
                    }
                    case "X" -> {
                        long from = nanos(e.get("ts"));
                        long dur = nanos(e.get("dur"));
                        assertTrue(from >= 0 && dur >= 0, "no negative time or duration: " + e);
                        t.slices.add(new Slice(e.get("tid").asInt(), e.get("name").asText(), e.get("cat").asText(),
                                from, from + dur, e.get("args")));
                    }
                    case "b", "e" -> asyncById.computeIfAbsent(e.get("cat").asText() + "/" + e.get("id").asText(),
                            k -> new ArrayList<>()).add(e);
                    case "s", "f" -> flowEnds.computeIfAbsent(e.get("id").asLong(), k -> new ArrayList<>()).add(e);
                    case "i" -> {
                        assertTrue(nanos(e.get("ts")) >= 0, e.toString());
                        t.instants.add(e);
                    }
                    default -> fail("unexpected phase " + ph + ": " + e);
                }
            }
            // async begin and end events balance per id, and never end before they begin
            asyncById.forEach((id, list) -> {
                int open = 0;
                list.sort(Comparator.comparingLong(e -> nanos(e.get("ts"))));
                for (JsonNode e : list) {
                    open += e.get("ph").asText().equals("b") ? 1 : -1;
                    assertTrue(open >= 0, "an end before its begin: " + id);
                }
                assertEquals(0, open, "unbalanced async id " + id);
            });
            for (Slice s : t.slices) {
                assertTrue(t.trackNames.containsKey(s.tid()), "every track is named: " + s);
            }
            t.checkNesting();
            t.checkContextsInsideTheirParents();
            // flows: one start and one end per id, each bound to a slice on its track, never backwards in time
            flowEnds.forEach((id, ends) -> {
                assertEquals(2, ends.size(), "flow " + id + " has one start and one end: " + ends);
                JsonNode s = ends.stream().filter(e -> e.get("ph").asText().equals("s")).findFirst().orElseThrow();
                JsonNode f = ends.stream().filter(e -> e.get("ph").asText().equals("f")).findFirst().orElseThrow();
                assertEquals("e", f.path("bp").asText(), "the end binds to its enclosing slice");
                Flow flow = new Flow(new FlowEnd(s.get("tid").asInt(), nanos(s.get("ts"))),
                        new FlowEnd(f.get("tid").asInt(), nanos(f.get("ts"))));
                assertTrue(flow.from().at() <= flow.to().at(), "flow " + id + " goes forward in time");
                assertTrue(t.enclosing(flow.from()).category().equals("lock-hold"), "starts at a hold: " + s);
                assertTrue(t.enclosing(flow.to()).category().equals("lock-wait"), "ends at a wait: " + f);
                t.flows.add(flow);
            });
            return t;
        }

        /** On each track, slices nest or stay apart, as both viewers require (a slice is [ts, ts + dur)). */
        private void checkNesting() {
            Map<Integer, List<Slice>> byTrack = new HashMap<>();
            slices.forEach(s -> byTrack.computeIfAbsent(s.tid(), k -> new ArrayList<>()).add(s));
            byTrack.forEach((tid, list) -> {
                list.sort(Comparator.comparingLong(Slice::from).thenComparing(Slice::until, Comparator.reverseOrder()));
                List<Slice> open = new ArrayList<>();
                for (Slice s : list) {
                    // a slice is over when the next begins at or after its end (two instants at one time stack)
                    while (!open.isEmpty() && endsBefore(open.get(open.size() - 1), s)) {
                        open.remove(open.size() - 1);
                    }
                    if (!open.isEmpty()) {
                        Slice parent = open.get(open.size() - 1);
                        assertTrue(s.until() <= parent.until(), "on track " + trackNames.get(tid) + ", " + s
                                + " overlaps " + parent + " without nesting in it");
                    }
                    open.add(s);
                }
            });
        }

        private static boolean endsBefore(Slice earlier, Slice next) {
            boolean bothInstants = earlier.from() == earlier.until() && next.from() == next.until();
            return earlier.until() < next.from() || (earlier.until() == next.from() && !bothInstants);
        }

        private void checkContextsInsideTheirParents() {
            Map<Long, Slice> byId = new HashMap<>();
            for (Slice s : slices) {
                if (s.category().equals("context")) {
                    assertNull(byId.put(s.args().get("id").asLong(), s), "one slice per context: " + s);
                    // a context's track is named by its path: never a JVM thread's
                    assertTrue(trackNames.get(s.tid()).startsWith(s.args().get("path").asText()), s.toString());
                }
            }
            for (Slice s : byId.values()) {
                Slice parent = byId.get(s.args().get("parentId").asLong());
                if (parent != null) {
                    assertTrue(parent.from() <= s.from() && s.until() <= parent.until(),
                            s + " lies inside its parent " + parent);
                }
                assertTrue(s.until() <= recordingLength(), "inside the recording: " + s);
            }
            for (Slice s : slices) {
                if (s.category().startsWith("lock-")) {
                    Slice owner = byId.get(s.args().get("contextId").asLong());
                    assertTrue(owner.from() <= s.from() && s.until() <= owner.until(), s + " inside " + owner);
                }
            }
        }

        /**
         * The innermost slice on the end's track that holds its moment: the shortest, and of two as long the later
         * in the file, as viewers nest them (a hold seen through the whole recording spans its context's slice).
         */
        Slice enclosing(FlowEnd end) {
            return slices.stream().filter(s -> s.tid() == end.tid() && s.from() <= end.at() && end.at() <= s.until())
                    .reduce((a, b) -> b.until() - b.from() <= a.until() - a.from() ? b : a)
                    .orElseThrow(() -> new AssertionError("no slice holds " + end));
        }

        List<Slice> contextsAt(String path) {
            return slices.stream().filter(s -> s.category().equals("context")
                    && s.args().get("path").asText().equals(path)).toList();
        }

        long recordingLength() {
            return Duration.between(recordingStart, recordingEnd).toNanos();
        }

        long nanos(Instant t) {
            return Duration.between(recordingStart, t).toNanos();
        }

        private static long nanos(JsonNode micros) {
            assertTrue(micros.isNumber(), "a number: " + micros);
            return micros.decimalValue().movePointRight(3).longValueExact();
        }
    }

    // ------------------------------------------------------------------ the scripted JVM

    /** {@link ScriptedTreeApp} in a JVM of its own, told what to do one step at a time. */
    static final class Scripted implements AutoCloseable {
        final Process process;
        final long pid;
        private final Writer commands;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        private Scripted(Process process) throws Exception {
            this.process = process;
            this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
                lines.add("<exited>");
            }, "scripted-output");
            reader.setDaemon(true);
            reader.start();
            String first = next();
            assertTrue(first.contains("running as pid "), first);
            this.pid = Long.parseLong(first.substring(first.indexOf("running as pid ") + 15).strip());
        }

        static Scripted start() throws Exception {
            return new Scripted(new ProcessBuilder(DemoProcess.tool("java").toString(), "-cp",
                    System.getProperty("java.class.path"), ScriptedTreeApp.class.getName())
                    .redirectErrorStream(true).start());
        }

        /** Sends a step and returns once the app says it has happened. */
        void tell(String step) throws Exception {
            commands.write(step + "\n");
            commands.flush();
            String answer = next();
            assertEquals("done " + step, answer);
        }

        private String next() throws InterruptedException {
            String line = lines.poll(60, TimeUnit.SECONDS);
            assertNotNull(line, "the scripted app said nothing for 60 s");
            return line;
        }

        @Override
        public void close() throws Exception {
            commands.close(); // end of input: the app closes its contexts and exits
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        }
    }
}
