package dev.canopy;

import dev.canopy.status.CounterOverflow;
import dev.canopy.status.CounterSnapshot;
import dev.canopy.status.CounterWindows;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.canopy.TestTrees.WAIT;
import static org.junit.jupiter.api.Assertions.*;

class CountersTest {
    private final FakeClock clock = new FakeClock();
    private final ContextTree tree = ContextTree.builder().clock(clock).build();
    private final Counters counters = tree.counters();
    private final Context global = tree.root();

    @AfterEach
    void closeTree() {
        tree.close();
    }

    @Test
    void keysAreThePathPlusTheCounter() {
        Context remote = global.child("remote-access").open();
        remote.incrementTotal("connections");
        remote.incrementLive("connections");
        assertEquals(1, counters.total("global.remote-access.connections"));
        assertEquals(1, counters.live("global.remote-access.live_connections"));
        assertEquals(1, counters.live("global.remote-access.connections"), "the total key works for live too");
        assertEquals(1, remote.getTotal("connections"));
        assertEquals(1, remote.getLive("connections"));
        remote.decrementLive("connections");
        assertEquals(0, remote.getLive("connections"));
        assertEquals(1, remote.getTotal("connections"), "totals never decrease");
        assertEquals(0, counters.total("global.nothing.here"));
    }

    @Test
    void totalsOutliveContextsAndAddUpAcrossInstancesOfAPath() {
        Context proxy = global.child("http-proxy").open();
        for (int i = 0; i < 1_000; i++) {
            try (Context request = proxy.child("request").open()) {
                request.incrementTotal("commands");
                request.incrementTotal("bytes", 100);
            }
        }
        assertEquals(1_000, counters.total("global.http-proxy.request.commands"));
        assertEquals(100_000, counters.total("global.http-proxy.request.bytes"));
        assertEquals(1_000, proxy.child("request").open().getTotal("commands"), "a new instance reads the same key");
    }

    @Test
    void concurrentIncrementsSumExactly() throws Exception {
        Context svc = global.child("svc").open();
        int threads = 8;
        int each = 100_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    svc.incrementTotal("hits");
                    svc.incrementLive("inflight");
                    svc.decrementLive("inflight");
                }
            });
            workers.add(w);
            w.start();
        }
        go.countDown();
        for (Thread w : workers) {
            w.join(WAIT.toMillis());
        }
        assertEquals((long) threads * each, svc.getTotal("hits"));
        assertEquals(0, svc.getLive("inflight"));
    }

    @Test
    void liveCountsReturnToZeroHoweverTenThousandContextsEnd() throws Exception {
        Context proxy = global.child("http-proxy").open();
        List<Task<?>> tasks = new ArrayList<>();
        waitingForCancel.clear();
        CountDownLatch cancelledStarted = new CountDownLatch(2_000);
        for (int i = 0; i < 10_000; i++) {
            switch (i % 5) {
                case 0 -> {
                    Context c = proxy.child("request").open();
                    c.incrementLive("connections");
                    c.close();
                }
                case 1 -> {
                    Context c = proxy.child("request").open();
                    c.incrementLive("connections");
                    c.incrementLive("connections");
                    c.fail(new RuntimeException("bad request"));
                }
                case 2 -> tasks.add(proxy.spawnChild("request", ctx -> {
                    ctx.incrementLive("connections");
                    return null;
                }));
                case 3 -> tasks.add(proxy.spawnChild("request", ctx -> {
                    ctx.incrementLive("connections");
                    throw new IllegalStateException("crashed while holding a connection");
                }));
                default -> {
                    Task<?> t = proxy.spawnChild("request", ctx -> {
                        ctx.incrementLive("connections");
                        cancelledStarted.countDown();
                        ctx.awaitCancellation();
                        return null;
                    });
                    tasks.add(t);
                    waitingForCancel.add(t);
                }
            }
        }
        assertTrue(cancelledStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        for (Task<?> t : tasks) {
            if (!t.context().isCancelled() && t.context().awaitedLocks().isEmpty()
                    && t.context().name().equals("request") && !waitsForCancel(t)) {
                finish(t);
            }
        }
        assertEquals(2_000, counters.live("global.http-proxy.request.live_connections"), "the cancellable ones still hold theirs");
        for (Task<?> t : tasks) {
            if (!t.isDone()) {
                t.context().cancel("client went away");
            }
        }
        for (Task<?> t : tasks) {
            try {
                t.join();
            } catch (CompletionException | CancellationException expected) {
                // failures and cancellations are part of the test
            }
            TestTrees.awaitEnded(t.context());
        }
        assertEquals(0, counters.live("global.http-proxy.request.live_connections"));
        assertTrue(proxy.children().isEmpty());
    }

    private final java.util.Set<Task<?>> waitingForCancel = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    private boolean waitsForCancel(Task<?> t) {
        return waitingForCancel.contains(t);
    }

    /** Waits for a task that ends by itself (returning or throwing) and for its context to end. */
    private static void finish(Task<?> t) throws Exception {
        try {
            t.join();
        } catch (CompletionException expected) {
            // the crashing kind
        }
        TestTrees.awaitEnded(t.context());
    }

    @Test
    void decrementingWhatTheContextDoesNotHoldIsRefused() {
        Context a = global.child("session").open();
        Context b = global.child("session").open();
        a.incrementLive("connections");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.decrementLive("connections"));
        assertEquals("cannot decrement live counter \"connections\" of global.session: this context holds none of it"
                + " (live at this path: 1)", e.getMessage());
        a.decrementLive("connections");
        assertThrows(IllegalStateException.class, () -> a.decrementLive("connections"));
        assertEquals(0, a.getLive("connections"), "refusals leave the count alone");
        assertEquals(0, a.heldLive("connections"));
    }

    @Test
    void anEndedContextGivesBackItsLiveCountsAndTakesNoMore() {
        Context c = global.child("worker").open();
        c.incrementLive("jobs");
        c.incrementLive("jobs");
        assertEquals(2, c.heldLive("jobs"));
        c.close();
        assertEquals(0, counters.live("global.worker.live_jobs"));
        assertThrows(IllegalStateException.class, () -> c.incrementLive("jobs"));
        c.incrementTotal("jobs");
        assertEquals(1, counters.total("global.worker.jobs"), "totals may still be added after the end");
    }

    @Test
    void rollupsSumEveryPathAtAndBelowAPrefix() {
        Context remote = global.child("remote-access").open();
        remote.incrementTotal("connections");
        Context alice = remote.child("alice").open();
        Context bob = remote.child("bob").open();
        for (int i = 0; i < 3; i++) {
            alice.incrementTotal("connections");
        }
        bob.incrementTotal("connections");
        bob.incrementLive("connections");
        alice.incrementLive("connections");
        Context other = global.child("remote-access-2").open();
        other.incrementTotal("connections");

        assertEquals(5, counters.rollupTotal("global.remote-access", "connections"));
        assertEquals(2, counters.rollupLive("global.remote-access", "connections"));
        assertEquals(3, counters.rollupTotal("global.remote-access.alice", "connections"));
        assertEquals(6, counters.rollupTotal("global", "connections"));
        assertEquals(0, counters.rollupTotal("global.remote-access", "commands"));
    }

    @Test
    void windowsRollOverAtBucketBoundaries() {
        // windows cover [start of the bucket N buckets back, now]: exact at a boundary
        Context svc = global.child("svc").open();
        String key = "global.svc.requests";
        clock.advance(Duration.ofMillis(500));
        for (int i = 0; i < 5; i++) {
            svc.incrementTotal("requests");                                   // 5 at t = 0.5 s
        }
        assertEquals(new CounterWindows(5, 5, 5, 5, 5, 5.0), counters.windows(key).orElseThrow());

        clock.advance(Duration.ofSeconds(1));
        counters.sample();
        svc.incrementTotal("requests", 3);                                    // 3 at t = 1.5 s
        assertEquals(8, counters.windows(key).orElseThrow().lastSecond(), "[0 s, 1.5 s] holds both");

        clock.advance(Duration.ofMillis(500));                                // t = 2 s, a boundary
        CounterWindows w = counters.windows(key).orElseThrow();
        assertEquals(3, w.lastSecond(), "[1 s, 2 s]: the 5 have left");
        assertEquals(8, w.lastMinute());
        assertEquals(4.0, w.ratePerSecond(), "8 over the 2 seconds the counter has existed");

        clock.advance(Duration.ofSeconds(58));                                // t = 60 s
        counters.sample();
        w = counters.windows(key).orElseThrow();
        assertEquals(0, w.lastSecond());
        assertEquals(8, w.lastMinute(), "[0 s, 60 s]");
        assertEquals(8.0 / 60, w.ratePerSecond(), 1e-9);
        clock.advance(Duration.ofSeconds(1));                                 // t = 61 s
        assertEquals(3, counters.windows(key).orElseThrow().lastMinute(), "[1 s, 61 s]: the 5 are out");
        clock.advance(Duration.ofSeconds(1));                                 // t = 62 s
        w = counters.windows(key).orElseThrow();
        assertEquals(0, w.lastMinute());
        assertEquals(8, w.lastHour());

        clock.advance(Duration.ofSeconds(3600 - 62));                         // t = 60 min
        counters.sample();
        assertEquals(8, counters.windows(key).orElseThrow().lastHour(), "[0 min, 60 min]");
        clock.advance(Duration.ofMinutes(1));                                 // t = 61 min
        counters.sample();
        w = counters.windows(key).orElseThrow();
        assertEquals(0, w.lastHour(), "[1 min, 61 min]");
        assertEquals(8, w.lastDay());

        clock.advance(Duration.ofHours(23).minusMinutes(1));                  // t = 24 h
        counters.sample();
        assertEquals(8, counters.windows(key).orElseThrow().lastDay(), "[0 h, 24 h]");
        clock.advance(Duration.ofHours(1));                                   // t = 25 h
        w = counters.windows(key).orElseThrow();
        assertEquals(0, w.lastDay(), "[1 h, 25 h]: all gone from the windows");
        assertEquals(8, w.sinceStart());
    }

    @Test
    void samplesMissedWhileNobodyLookedAreFilledWithoutGrowingMemory() {
        Context svc = global.child("svc").open();
        svc.incrementTotal("requests", 7);
        clock.advance(Duration.ofDays(3));       // no sampling at all for three days
        CounterWindows w = counters.windows("global.svc.requests").orElseThrow();
        assertEquals(0, w.lastDay());
        assertEquals(7, w.sinceStart());
    }

    @Test
    void persistedContextsCountTheirOwnEndings() {
        Context proxy = global.child("http-proxy").open();
        for (int i = 0; i < 3; i++) {
            proxy.child("request").persist().open().close();
        }
        proxy.child("request").persist().open().fail(new RuntimeException("502"));
        Context cancelled = proxy.child("request").persist().open();
        cancelled.cancel();
        cancelled.close();
        proxy.child("request").open().close(); // not persisted: not counted

        assertEquals(3, counters.total("global.http-proxy.request.completed"));
        assertEquals(1, counters.total("global.http-proxy.request.failed"));
        assertEquals(1, counters.total("global.http-proxy.request.cancelled"));
        assertEquals(3, counters.windows("global.http-proxy.request.completed").orElseThrow().lastMinute());
    }

    @Test
    void distinctKeysAreCappedAndTheOverflowReported() {
        try (ContextTree capped = ContextTree.builder().maxCounterKeys(1_000).build()) {
            Context root = capped.root();
            for (int i = 0; i < 100_000; i++) {
                Context c = root.child("peer-" + i).open();
                c.incrementTotal("connections");
                c.incrementLive("connections");
                c.close();
            }
            Counters cs = capped.counters();
            assertEquals(1_000, cs.size());
            assertEquals(1_000, cs.snapshot().size());
            CounterOverflow overflow = cs.overflow();
            assertTrue(overflow.overflowed());
            assertEquals(99_000, overflow.refusedKeys());
            assertEquals(99_000 * 2, overflow.lostIncrements());
            assertEquals(1, cs.total("global.peer-0.connections"), "keys within the cap are exact");
            assertEquals(0, cs.total("global.peer-99999.connections"));
            assertEquals(0, cs.rollupLive("global", "connections"));
        }
    }

    @Test
    void snapshotListsEveryCounterSorted() {
        Context b = global.child("b").open();
        Context a = global.child("a").open();
        b.incrementTotal("x");
        a.incrementTotal("y", 2);
        a.incrementLive("y");
        List<CounterSnapshot> all = counters.snapshot();
        assertEquals(List.of("global.a.y", "global.b.x"), all.stream().map(CounterSnapshot::key).toList());
        CounterSnapshot y = all.get(0);
        assertEquals("global.a.live_y", y.liveKey());
        assertEquals(2, y.total());
        assertEquals(1, y.live());
        assertEquals("global.a", y.path());
        assertEquals(List.of("global.b.x"), counters.snapshot("global.b").stream().map(CounterSnapshot::key).toList());
    }

    @Test
    void badCounterInputIsRefusedClearly() {
        Context c = global.child("c").open();
        assertEquals("counter name must not be null",
                assertThrows(NullPointerException.class, () -> c.incrementTotal(null)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.incrementTotal(" "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.incrementLive("a.b")).getMessage()
                .contains("contains '.'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.incrementTotal("live_x")).getMessage()
                .contains("must not start with \"live_\""));
        assertEquals("total counter \"hits\" only grows; amount must not be negative: -1",
                assertThrows(IllegalArgumentException.class, () -> c.incrementTotal("hits", -1)).getMessage());
        assertEquals(0, counters.size(), "nothing was created by bad input");
        assertThrows(IllegalArgumentException.class, () -> ContextTree.builder().maxCounterKeys(0));
    }
}
