package dev.canopy;

import dev.canopy.status.ContextStatus;
import dev.canopy.status.RenderOptions;
import dev.canopy.status.Status;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.canopy.TestTrees.awaitTrue;
import static org.junit.jupiter.api.Assertions.*;

class StatusTest {
    private final FakeClock clock = new FakeClock();
    private final ContextTree tree = ContextTree.builder().clock(clock).build();
    private final Context global = tree.root();

    @AfterEach
    void closeTree() {
        tree.close();
    }

    /** The design's example: alice's stdout-handler holds the output lock, her stderr-stream waits for it. */
    private Task<Void> buildExample() throws Exception {
        Context remote = TestTrees.keep(global.child("remote-access").open());
        remote.incrementTotal("connections", 1_247);
        Context alice = remote.child("alice@bv478gen").withData("peer", "alice").open();
        alice.incrementLive("connections");
        NamedLock out = alice.mutex("session-output-lock");
        Context stdout = alice.child("stdout-handler").withMetric("bytes", MetricValue.bytes(15_938_355)).open();
        try (Scope s = stdout.makeCurrent()) {
            out.lock();
        }
        clock.advance(Duration.ofMillis(4_200));
        Task<Void> stderr = alice.spawnChild("stderr-stream", ctx -> {
            out.lock();
            out.unlock();
            return null;
        });
        awaitTrue("stderr-stream waits", () -> out.snapshot().waiters().size() == 1);
        Context proxy = TestTrees.keep(global.child("http-proxy").open());
        for (int i = 0; i < 3; i++) {
            proxy.child("request").withData("path", "/items/" + i).persist().open().close();
        }
        Context db = TestTrees.keep(proxy.child("db-query").open());
        db.operation("await database-query");
        clock.advance(Duration.ofMillis(8_100));
        return stderr;
    }

    @Test
    void goldenText() throws Exception {
        Task<Void> stderr = buildExample();
        // the sections name each holder's and waiter's thread as name#id, to find it in a thread dump
        String holderThread = Thread.currentThread().getName() + "#" + Thread.currentThread().getId();
        String waiterThread = tree.locks().stream().flatMap(l -> l.waiters().stream()).findFirst().orElseThrow().thread();
        String text = tree.status().render(RenderOptions.plain().withSystem(false));
        assertEquals("""
                ⚠️ global (12.3s, active 8.1s ago)
                ├── remote-access (12.3s, idle 12.3s) [1,247 total connections]
                │   └── alice@bv478gen (12.3s, idle 8.1s) [1 live connections]  peer=alice
                │       ├── stdout-handler (12.3s, idle 12.3s)  bytes=15.2MB
                │       │   └── 🔒 HOLDS "session-output-lock" (12.3s held) ⚠️ LONG HELD
                │       └── stderr-stream (8.1s, idle 8.1s)
                │           └── ⏳ WAITING "session-output-lock" (8.1s waiting) ⚠️ STUCK
                └── http-proxy (8.1s, idle 8.1s)
                    └── db-query (8.1s, idle 8.1s)  ⏱ await database-query (8.1s)

                🔒 Active Locks (1):
                  - "session-output-lock" held by global.remote-access.alice@bv478gen.stdout-handler on %s (12.3s) ⚠️ LONG HELD

                ⏳ Lock Waiters (1):
                  - global.remote-access.alice@bv478gen.stderr-stream on %s waiting for "session-output-lock" (8.1s) ⚠️ STUCK

                ⚠️  Warnings (2):
                  ⚠️  lock "session-output-lock" held by global.remote-access.alice@bv478gen.stdout-handler for 12.3s (LONG HELD)
                  ⚠️  global.remote-access.alice@bv478gen.stderr-stream waiting for lock "session-output-lock" for 8.1s (STUCK)

                📋 Recent completed (3 of 3):
                  ✔ global.http-proxy.request completed in 0.0s at 00:00:04
                  ✔ global.http-proxy.request completed in 0.0s at 00:00:04
                  ✔ global.http-proxy.request completed in 0.0s at 00:00:04
                """.formatted(holderThread, waiterThread), text);
        stderr.context().cancel();
    }

    @Test
    void coloursOnlyWhenAsked() throws Exception {
        Task<Void> stderr = buildExample();
        Status s = tree.status();
        assertFalse(s.toString().contains("\u001b["), "toString() is plain");
        assertTrue(s.render(RenderOptions.plain().withColor(true)).contains("\u001b[31m"));
        stderr.context().cancel();
    }

    @Test
    void repeatedSiblingsCollapseAndExpand() {
        Context proxy = global.child("http-proxy").open();
        for (int i = 0; i < 500; i++) {
            TestTrees.keep(proxy.child("request").open());
            clock.advance(Duration.ofMillis(100));
        }
        TestTrees.keep(proxy.child("connection-pool").open());
        String text = tree.status().render(RenderOptions.plain().withSystem(false));
        assertTrue(text.contains("├── [×500] request (oldest 50.0s, newest 0.1s)"), text);
        assertTrue(text.lines().count() < 10, text);
        String expanded = tree.status().render(RenderOptions.plain().withSystem(false).expanded());
        assertEquals(500, expanded.lines().filter(l -> l.contains("── request (")).count());
    }

    @Test
    void theLocksSectionCountsLocksAndHoldersWhenALockHasSeveral() {
        NamedSemaphore pool = global.semaphore("upstream-connections", 5);
        NamedLock table = global.mutex("user-table");
        Context first = TestTrees.keep(global.child("request").open());
        Context second = TestTrees.keep(global.child("request").open());
        try (Scope s = first.makeCurrent()) {
            pool.acquireUninterruptibly();
            table.lock();
        }
        try (Scope s = second.makeCurrent()) {
            pool.acquireUninterruptibly();
        }
        String text = tree.status().render(RenderOptions.plain().withSystem(false).expanded());
        assertTrue(text.contains("🔒 Active Locks (2 locks, 3 holders):"), text);
        assertEquals(3, text.lines().filter(l -> l.startsWith("  - \"") && l.contains(" held by global.request on "))
                .count(), text);
        try (Scope s = first.makeCurrent()) {
            pool.release();
            table.unlock();
        }
        text = tree.status().render(RenderOptions.plain().withSystem(false));
        assertTrue(text.contains("🔒 Active Locks (1):"), text);
        try (Scope s = second.makeCurrent()) {
            pool.release();
        }
    }

    @Test
    void aPathPrefixDrawsOnlyThatBranch() {
        TestTrees.keep(TestTrees.keep(global.child("remote-access").open()).child("alice").open());
        TestTrees.keep(global.child("http-proxy").open());
        String text = tree.status().render(RenderOptions.plain().withSystem(false).withPathPrefix("global.remote-access"));
        assertTrue(text.contains("alice"));
        assertFalse(text.contains("http-proxy"));
    }

    @Test
    void jsonRoundTripsAndFollowsTheSchema() throws Exception {
        Task<Void> stderr = buildExample();
        Status s = tree.status();
        String json = s.toJson();
        Status back = Status.fromJson(json);
        assertEquals(json, back.toJson(), "read back and written again: the same JSON");
        assertEquals(s.root().size(), back.root().size());
        assertEquals(s.render(RenderOptions.plain()), back.render(RenderOptions.plain()), "a remote reader renders the same");

        JsonNode tree = Json.MAPPER.readTree(json);
        assertEquals("canopy.status/1", tree.get("schema").asText());
        assertEquals("2026-01-01T00:00:12.300Z", tree.get("timestamp").asText());
        JsonNode alice = tree.get("root").get("children").get(0).get("children").get(0);
        assertEquals("global.remote-access.alice@bv478gen", alice.get("path").asText());
        assertEquals(12_300, alice.get("duration").asLong(), "durations are milliseconds");
        assertEquals("alice", alice.get("data").get("peer").asText(), "data appears as the JSON it was set as");
        JsonNode stdout = alice.get("children").get(0);
        assertEquals("bytes", stdout.get("metrics").get("bytes").get("type").asText());
        assertEquals(15_938_355, stdout.get("metrics").get("bytes").get("value").asLong());
        JsonNode holder = stdout.get("heldLocks").get(0);
        assertEquals("session-output-lock", holder.get("lockName").asText());
        assertEquals("EXCLUSIVE", holder.get("mode").asText());
        assertEquals(12_300, holder.get("held").asLong());
        assertEquals("STUCK_WAITER", tree.get("warnings").get(1).get("kind").asText());
        stderr.context().cancel();
    }

    @Test
    void badJsonIsRefusedClearly() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Status.fromJson("{\"schema\": 3"))
                .getMessage().startsWith("not a Canopy status"));
        String otherSchema = tree.status().toJson().replace("canopy.status/1", "canopy.status/99");
        assertEquals("unsupported status schema \"canopy.status/99\"; this version reads canopy.status/1",
                assertThrows(IllegalArgumentException.class, () -> Status.fromJson(otherSchema)).getMessage());
        // a later schema need not have this one's fields: it is still named for what it is
        assertEquals("unsupported status schema \"canopy.status/2\"; this version reads canopy.status/1",
                assertThrows(IllegalArgumentException.class,
                        () -> Status.fromJson("{\"schema\":\"canopy.status/2\",\"trees\":[]}")).getMessage());
        assertEquals("not a Canopy status: no \"schema\" text field",
                assertThrows(IllegalArgumentException.class, () -> Status.fromJson("[1, 2]")).getMessage());
    }

    @Test
    void snapshotsStayConsistentWhileTenThousandContextsChurn() throws Exception {
        Context load = global.child("load").open();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> churners = new java.util.ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread th = new Thread(() -> {
                while (!stop.get() && made.get() < 10_000) {
                    Context c = load.child("request").withData("n", made.incrementAndGet()).open();
                    c.child("step").open().close();
                    c.close();
                }
            });
            churners.add(th);
            th.start();
        }
        int snapshots = 0;
        while (made.get() < 10_000) {
            Status s = tree.status();
            snapshots++;
            // never a half-built context: every one carries the data it was created with
            for (ContextStatus r : s.root().children().get(0).children()) {
                assertTrue(r.data().containsKey("n"), "context without its initial data: " + r.path());
                assertEquals("global.load.request", r.path());
            }
            assertEquals(s.toJson(), Status.fromJson(s.toJson()).toJson());
        }
        stop.set(true);
        for (Thread th : churners) {
            th.join(TestTrees.WAIT.toMillis());
        }
        assertTrue(snapshots > 0);
        assertTrue(tree.status().root().children().get(0).children().isEmpty());
    }

    @Test
    void aDeepTreeIsRefusedByDefaultAndCutWithAMarkerWhenAllowed() {
        Context c = global;
        for (int i = 0; i < 1_000; i++) {
            c = TestTrees.keep(c.child("level").open());
        }
        Context deepest = c;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> deepest.child("one-more").open());
        assertEquals("cannot create child \"one-more\" of \"level\": the tree would be 1,001 levels deep, the limit is "
                + "1,000 (a recursion bug? ContextTree.Builder.maxDepth changes it)", e.getMessage());

        try (ContextTree deep = ContextTree.builder().maxDepth(10_000).build()) {
            Context d = deep.root();
            for (int i = 0; i < 10_000; i++) {
                d = TestTrees.keep(d.child("level").open());
            }
            Status s = deep.status();
            String json = s.toJson();
            assertTrue(Status.fromJson(json).root().size() <= StatusBuilder.MAX_DEPTH + 1);
            String text = s.render(RenderOptions.plain().withSystem(false));
            // drawn to 64 levels: the marker counts every level under it, those the snapshot only counts too
            int drawn = RenderOptions.plain().maxDepth();
            assertTrue(text.contains("… " + String.format(java.util.Locale.ROOT, "%,d", 10_000 - drawn)
                    + " more contexts below (depth limit " + drawn + ")"), text.substring(text.indexOf('…') - 20));
            assertTrue(text.lines().count() < 200);
            d.cancel("from the bottom");
            deep.root().cancel("and the top");
        }
    }

    @Test
    void warningsThatSwapPlacesAreNoChangeButANewOneIs() {
        global.child("a").open();
        Status s = tree.status();
        dev.canopy.status.Warning idleA = new dev.canopy.status.Warning(dev.canopy.status.Severity.INFO,
                dev.canopy.status.WarningKind.IDLE, "global.a idle for 5.0s", "global.a", null, Duration.ofSeconds(5));
        dev.canopy.status.Warning idleB = new dev.canopy.status.Warning(dev.canopy.status.Severity.INFO,
                dev.canopy.status.WarningKind.IDLE, "global.b idle for 5.0s", "global.b", null, Duration.ofSeconds(5));
        Status ab = withWarnings(s, List.of(idleA, idleB));
        assertTrue(ab.sameContentAs(withWarnings(s, List.of(idleB, idleA))), "equally long: their order is no change");
        assertFalse(ab.sameContentAs(withWarnings(s, List.of(idleA))), "one gone is a change");
    }

    private static Status withWarnings(Status s, List<dev.canopy.status.Warning> warnings) {
        return new Status(s.schema(), s.timestamp(), s.root(), s.locks(), s.deadlocks(), warnings, s.counters(),
                s.recentCompletions(), s.statistics(), s.system());
    }
}
