package dev.canopy;

import dev.canopy.status.CompletedContext;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.*;

class PersistAndShutdownTest {

    @Test
    void persistedContextsLandInABoundedRingNewestFirst() {
        FakeClock clock = new FakeClock();
        try (ContextTree tree = ContextTree.builder().clock(clock).recentCompletions(3).build()) {
            for (int i = 0; i < 5; i++) {
                Context c = tree.root().child("request").withData("n", i).persist().open();
                clock.advance(Duration.ofMillis(10));
                c.close();
            }
            tree.root().child("not-persisted").open().close();
            List<CompletedContext> recent = tree.recentCompletions();
            assertEquals(3, recent.size());
            assertEquals(List.of(4, 3, 2), recent.stream().map(r -> Integer.parseInt(r.data().get("n"))).toList());
            CompletedContext last = recent.get(0);
            assertEquals("global.request", last.path());
            assertEquals(ContextState.COMPLETED, last.state());
            assertEquals(Duration.ofMillis(10), last.duration());
            assertNull(last.message());
        }
    }

    @Test
    void failuresAndCancellationsAreDescribed() {
        try (ContextTree tree = ContextTree.create()) {
            Task<Void> failing = tree.root().child("upload").persist().spawn(ctx -> {
                throw new IllegalStateException("upstream returned 502");
            });
            assertThrows(RuntimeException.class, failing::join);
            Context cancelled = tree.root().child("download").open().persist();
            cancelled.cancel("client went away");
            cancelled.close();
            List<CompletedContext> recent = tree.recentCompletions();
            assertEquals(ContextState.CANCELLED, recent.get(0).state());
            assertEquals("client went away", recent.get(0).message());
            assertEquals(ContextState.FAILED, recent.get(1).state());
            assertEquals("upstream returned 502", recent.get(1).message());
            assertEquals(IllegalStateException.class.getName(), recent.get(1).failureType());
        }
    }

    @Test
    void shutdownCancelsEverythingAndWaitsForTheTreeToDrain() throws Exception {
        try (ContextTree tree = ContextTree.create()) {
            Context svc = tree.root().child("svc").open();
            svc.onCancel(svc::close);
            CountDownLatch running = new CountDownLatch(2);
            for (int i = 0; i < 2; i++) {
                svc.spawnChild("worker", ctx -> {
                    running.countDown();
                    ctx.awaitCancellation();
                    return null;
                });
            }
            running.await();
            assertTrue(tree.shutdown("JVM shutdown", TestTrees.WAIT));
            assertTrue(tree.root().children().isEmpty());
            assertEquals("JVM shutdown", svc.cancellation().orElseThrow().reason());
        }
    }

    @Test
    void shutdownReportsWhatDidNotDrainInTime() throws Exception {
        try (ContextTree tree = ContextTree.create()) {
            Context leftOpen = tree.root().child("never-closed").open();
            assertFalse(tree.shutdown("stop", Duration.ofMillis(50)));
            assertTrue(leftOpen.isCancelled());
            assertEquals(List.of(leftOpen), tree.root().children());
            leftOpen.close();
            assertTrue(tree.awaitDrain(Duration.ZERO));
        }
    }

    @Test
    void shutdownHookIsInstalledOnce() {
        try (ContextTree tree = ContextTree.create()) {
            assertTrue(tree.installShutdownHook(Duration.ofSeconds(1)));
            assertFalse(tree.installShutdownHook(Duration.ofSeconds(1)));
            assertThrows(IllegalArgumentException.class, () -> ContextTree.create().installShutdownHook(Duration.ofSeconds(-1)));
        }
    }
}
