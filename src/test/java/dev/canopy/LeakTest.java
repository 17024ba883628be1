package dev.canopy;

import dev.canopy.status.WarningKind;

import dev.canopy.status.LeakedContext;
import dev.canopy.status.Warning;

import dev.canopy.jfr.JfrTemplates;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static dev.canopy.TestTrees.awaitTrue;
import static org.junit.jupiter.api.Assertions.*;

/** A context opened, dropped without close, and collected is reported; nothing of it stays behind. */
class LeakTest {
    @TempDir
    Path dir;

    /** Opens a context in a frame of its own, so no local variable of the test keeps it reachable. */
    private static long openAndForget(Context parent) {
        Context forgotten = parent.child("forgotten").open();
        forgotten.incrementLive("connections");
        forgotten.setData("peer", "alice");
        return forgotten.id();
    }

    private static void collectUntil(String what, java.util.function.BooleanSupplier condition) throws Exception {
        awaitTrue(what, () -> {
            System.gc();
            return condition.getAsBoolean();
        });
    }

    /** A handler that adds what the tree's logger writes to {@code logged}. */
    private static Handler capturing(List<LogRecord> logged) {
        return new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void aForgottenContextIsReportedEverywhereAndCleanedUp() throws Exception {
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = capturing(logged);
        Logger jul = Logger.getLogger(ContextTree.class.getName());
        jul.addHandler(capture);
        Path file = dir.resolve("leak.jfr");
        try (ContextTree tree = ContextTree.builder().rootName("leaky").leakDetection(1).captureCreationSites(1.0).build();
             Recording r = new Recording(JfrTemplates.canopyConfiguration())) {
            r.start();
            Context svc = tree.root().child("svc").open();
            long id = openAndForget(svc);
            assertEquals(1, tree.counters().live("leaky.svc.forgotten.live_connections"));
            collectUntil("the leak is noticed", () -> !tree.recentLeaks().isEmpty());

            LeakedContext leak = tree.recentLeaks().get(0);
            assertEquals(id, leak.id());
            assertEquals("leaky.svc.forgotten", leak.path());
            assertTrue(leak.openedAt().contains("LeakTest.openAndForget"), leak.openedAt());
            assertEquals(List.of(), svc.children(), "gone from the tree");
            assertEquals(0, tree.counters().live("leaky.svc.forgotten.live_connections"), "live counts given back");
            assertEquals(1, tree.statistics().leaked());
            assertEquals(2, tree.statistics().live(), "root and svc");

            Warning w = tree.warnings().stream().filter(x -> x.kind() == WarningKind.LEAKED).findFirst().orElseThrow();
            assertEquals("leaky.svc.forgotten", w.contextPath());
            assertTrue(w.message().startsWith("leaky.svc.forgotten (#" + id + ") was never closed: garbage-collected "),
                    w.message());
            assertTrue(tree.status().toString().contains("was never closed"));
            assertTrue(logged.stream().anyMatch(l -> l.getMessage().contains("context leaky.svc.forgotten (#" + id
                    + ") was garbage-collected without being closed")), logged.toString());
            r.stop();
            r.dump(file);
        } finally {
            jul.removeHandler(capture);
        }
        var events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.canopy.ContextLeak")).toList();
        assertEquals(1, events.size());
        assertEquals("leaky.svc.forgotten", events.get(0).getString("path"));
    }

    @Test
    void aBurstOfLeaksLogsTenLinesAMinuteThenSaysHowManyMore() throws Exception {
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = capturing(logged);
        Logger jul = Logger.getLogger(ContextTree.class.getName());
        jul.addHandler(capture);
        FakeClock clock = new FakeClock();
        try (ContextTree tree = ContextTree.builder().rootName("bursty").clock(clock).leakDetection(1).build()) {
            Context svc = tree.root().child("svc").open();
            for (int i = 0; i < LeakLog.LINES_PER_MINUTE + 3; i++) {
                openAndForget(svc);
            }
            collectUntil("every leak is noticed", () -> tree.statistics().leaked() == LeakLog.LINES_PER_MINUTE + 3);
            java.util.function.Supplier<List<String>> lines = () -> logged.stream().map(LogRecord::getMessage)
                    .filter(m -> m.contains("bursty")).toList();
            int first = LeakLog.LINES_PER_MINUTE;
            assertEquals(first + 1, lines.get().size(), () -> String.join("\n", lines.get()));
            assertTrue(lines.get().subList(0, first).stream().allMatch(l -> l.startsWith("context bursty.svc.")));
            assertTrue(lines.get().get(first).startsWith("more contexts of bursty are being garbage-collected"),
                    "said at once, for a process that exits within the minute: " + lines.get().get(first));
            assertEquals(first + 3, tree.recentLeaks().size(), "every leak is still listed");

            clock.advance(Duration.ofSeconds(61));
            awaitTrue("the count, with no further leak to bring it", () -> lines.get().size() == first + 2);
            assertTrue(lines.get().get(first + 1).startsWith("3 more contexts of bursty were garbage-collected "
                    + "without being closed in that minute"), lines.get().get(first + 1));

            openAndForget(svc); // a new minute: logged one by one again
            collectUntil("the next leak is logged", () -> lines.get().size() == first + 3);
            assertTrue(lines.get().get(first + 2).startsWith("context bursty.svc.forgotten"), lines.get().get(first + 2));
        } finally {
            jul.removeHandler(capture);
        }
    }

    @Test
    void aLeakIsListedOnlyOnceTheListenersHaveHeardIt() throws Exception {
        java.util.concurrent.CountDownLatch heard = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        dev.canopy.spi.TreeListener slowListener = new dev.canopy.spi.TreeListener() {
            @Override
            public void contextLeaked(LeakedContext leak) {
                heard.countDown();
                try {
                    release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (ContextTree tree = ContextTree.builder().rootName("leaky").leakDetection(1).listener(slowListener)
                .build()) {
            openAndForget(tree.root());
            collectUntil("a listener hears of the leak", () -> heard.getCount() == 0);
            // a reader of recentLeaks() (a status, a test) must be able to count on the listeners (a JFR event)
            // and the log having had it
            assertEquals(List.of(), tree.recentLeaks(), "listed while a listener is still hearing of it");
            release.countDown();
            awaitTrue("listed once heard", () -> tree.recentLeaks().size() == 1);
        }
    }

    @Test
    void closedContextsAndTaskContextsAreNeverReported() throws Exception {
        try (ContextTree tree = ContextTree.builder().rootName("tidy").leakDetection(1).build()) {
            for (int i = 0; i < 10_000; i++) {
                tree.root().child("closed").open().close();
                tree.root().spawnChild("task", c -> 1).join();
            }
            // a canary leak proves collection and processing happened meanwhile
            openAndForget(tree.root());
            collectUntil("the canary is noticed", () -> !tree.recentLeaks().isEmpty());
            assertEquals(1, tree.recentLeaks().size());
            assertEquals("tidy.forgotten", tree.recentLeaks().get(0).path());
            assertNull(tree.recentLeaks().get(0).openedAt(), "no creation site unless asked for");
        }
    }

    @Test
    void aReferencedContextIsNotALeak() throws Exception {
        try (ContextTree tree = ContextTree.builder().rootName("kept").leakDetection(1).build()) {
            Context kept = tree.root().child("kept").open();
            openAndForget(tree.root());
            collectUntil("the canary is noticed", () -> !tree.recentLeaks().isEmpty());
            assertEquals(List.of(kept), tree.root().children());
            kept.close();
        }
    }

    private static void openNestedAndForget(Context parent) {
        Context outer = parent.child("outer").open();
        Context inner = outer.child("inner").open();
        inner.incrementLive("x");
    }

    @Test
    void aContextLeakedWithItsParentIsReportedToo() throws Exception {
        try (ContextTree tree = ContextTree.builder().rootName("nested").leakDetection(1).build()) {
            Context svc = tree.root().child("svc").open();
            openNestedAndForget(svc);
            collectUntil("both leaks noticed", () -> tree.recentLeaks().size() == 2);
            assertEquals(java.util.Set.of("nested.svc.outer", "nested.svc.outer.inner"),
                    tree.recentLeaks().stream().map(LeakedContext::path).collect(java.util.stream.Collectors.toSet()));
            assertEquals(0, tree.counters().live("nested.svc.outer.inner.live_x"));
            assertEquals(2, tree.statistics().leaked());
            assertEquals(2, tree.statistics().live(), "root and svc");
            assertEquals(List.of(), svc.children());
        }
    }

    private static void closeButLeaveAChildOpen(Context parent) {
        Context closing = parent.child("closing").open();
        closing.child("orphan").open();
        closing.close(); // waits for the orphan, which nobody will ever close
    }

    @Test
    void aClosedParentWaitingForALeakedChildIsAnEndNotALeak() throws Exception {
        try (ContextTree tree = ContextTree.builder().rootName("ending").leakDetection(1).build()) {
            Context svc = tree.root().child("svc").open();
            closeButLeaveAChildOpen(svc);
            collectUntil("the orphan is noticed", () -> !tree.recentLeaks().isEmpty()
                    && tree.statistics().completed() == 1);
            assertEquals(List.of("ending.svc.closing.orphan"),
                    tree.recentLeaks().stream().map(LeakedContext::path).toList());
            assertEquals(1, tree.statistics().leaked());
            assertEquals(1, tree.statistics().completed(), "the closed parent counts as completed");
            assertEquals(List.of(), svc.children());
        }
    }

    private static void openAndForgetMany(Context parent, int n) {
        for (int i = 0; i < n; i++) {
            parent.child("dropped").open();
        }
    }

    @Test
    void unwatchedContextsStayVisibleAndSampledOnesAreReported() throws Exception {
        try (ContextTree none = ContextTree.builder().rootName("unwatched").leakDetection(0).build();
             ContextTree half = ContextTree.builder().rootName("sampled").leakDetection(2).build()) {
            openAndForgetMany(none.root(), 200);
            openAndForgetMany(half.root(), 200);
            // the sampled tree: watched contexts are collected and reported, the others stay in the tree
            collectUntil("watched contexts reported", () -> half.statistics().leaked() > 0
                    && half.statistics().leaked() + half.root().children().size() == 200);
            assertTrue(half.root().children().size() > 0, "unwatched leaks stay visible");
            assertEquals(200, none.root().children().size(), "nothing watched: every leak stays visible");
            assertEquals(0, none.statistics().leaked());
            assertTrue(none.recentLeaks().isEmpty());
        }
    }

    @Test
    void badSampleRatesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContextTree.builder().leakDetection(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ContextTree.builder().captureCreationSites(1.5));
        assertThrows(IllegalArgumentException.class, () -> ContextTree.builder().captureCreationSites(Double.NaN));
    }
}
