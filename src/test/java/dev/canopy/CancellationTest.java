package dev.canopy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static dev.canopy.TestTrees.WAIT;
import static dev.canopy.TestTrees.awaitEnded;
import static org.junit.jupiter.api.Assertions.*;

class CancellationTest {
    private final ContextTree tree = ContextTree.create();
    private final Context root = tree.root();

    @AfterEach
    void closeTree() {
        tree.close();
    }

    @Test
    void cancelReachesTheWholeSubtreeOnceWithReasonAndInitiator() {
        Context svc = root.child("svc").open();
        Context a = svc.child("a").open();
        Context a1 = a.child("a1").open();
        Context b = svc.child("b").open();
        Context sibling = root.child("other").open();

        svc.cancel("maintenance");
        for (Context c : List.of(svc, a, a1, b)) {
            assertTrue(c.isCancelled(), c.path());
            Cancellation why = c.cancellation().orElseThrow();
            assertEquals("maintenance", why.reason());
            assertEquals("global.svc", why.initiatorPath());
        }
        assertFalse(sibling.isCancelled());
        assertFalse(root.isCancelled());

        a.cancel("second");
        assertEquals("maintenance", a.cancellation().orElseThrow().reason(), "only the first cancel counts");
    }

    @Test
    void cancelledFutureIsSharedReadOnlyAndCompletesOnCancel() throws Exception {
        Context c = root.child("c").open();
        CompletableFuture<Void> f = c.cancelled();
        assertSame(f, c.cancelled(), "one instance: polling it leaves nothing behind");
        assertFalse(f.isDone());
        assertThrows(UnsupportedOperationException.class, () -> f.cancel(true));
        assertThrows(UnsupportedOperationException.class, () -> f.complete(null));
        assertFalse(c.isCancelled());
        CompletableFuture<String> chained = f.thenApply(v -> "chained");
        c.cancel();
        f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("chained", chained.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void anEndedContextCannotBeCancelledAfterwards() {
        Context c = root.child("c").open();
        AtomicInteger calls = new AtomicInteger();
        c.onCancel(calls::incrementAndGet);
        c.close();
        c.cancel("too late");
        root.cancel("later still");
        assertFalse(c.isCancelled());
        assertTrue(c.cancellation().isEmpty());
        assertEquals(ContextState.COMPLETED, c.state());
        assertEquals(0, calls.get());
        c.onCancel(calls::incrementAndGet);
        assertEquals(0, calls.get(), "a callback registered after the end never runs");
    }

    @Test
    void awaitCancellationBlocksUntilCancelled() throws Exception {
        Context c = root.child("c").open();
        assertFalse(c.awaitCancellation(Duration.ofMillis(20)), "times out when nobody cancels");
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> woke = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            try {
                c.awaitCancellation();
                return true;
            } catch (InterruptedException e) {
                return false;
            }
        });
        assertTrue(waiting.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        c.cancel();
        assertTrue(woke.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(c.awaitCancellation(Duration.ZERO));
    }

    @Test
    void awaitCancellationInsideTheTaskReturnsWhenTheTaskIsCancelled() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Task<String> t = root.spawnChild("waiter", ctx -> {
            started.countDown();
            ctx.awaitCancellation();
            return "stopped";
        });
        assertTrue(started.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        t.context().cancel("done waiting");
        awaitEnded(t.context());
        assertEquals(ContextState.CANCELLED, t.context().state());
    }

    @Test
    void onCancelRunsOnceAndCanBeRemoved() {
        Context c = root.child("c").open();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger removedCalls = new AtomicInteger();
        c.onCancel(calls::incrementAndGet);
        Registration removed = c.onCancel(removedCalls::incrementAndGet);
        c.onCancel(() -> {
            throw new IllegalStateException("a broken callback");
        });
        removed.close();
        c.cancel();
        c.cancel();
        assertEquals(1, calls.get());
        assertEquals(0, removedCalls.get());

        AtomicInteger late = new AtomicInteger();
        c.onCancel(late::incrementAndGet);
        assertEquals(1, late.get(), "registered after the cancel: runs at once");
    }

    @Test
    void throwIfCancelledNamesTheContextAndReason() {
        Context c = root.child("worker").open();
        c.throwIfCancelled();
        root.cancel("shutting down");
        CancellationException e = assertThrows(CancellationException.class, c::throwIfCancelled);
        assertEquals("context global.worker cancelled: shutting down (by global)", e.getMessage());
    }

    @Test
    void cancellingInterruptsBlockedTasks() throws Exception {
        Context session = root.child("session").open();
        CountDownLatch blocked = new CountDownLatch(2);
        CountDownLatch never = new CountDownLatch(1);
        ConcurrentLinkedQueue<Throwable> seen = new ConcurrentLinkedQueue<>();
        Task<Void> child = session.spawnChild("reader", ctx -> {
            blocked.countDown();
            try {
                never.await();
            } catch (InterruptedException e) {
                seen.add(e);
            }
            return null;
        });
        Task<Void> inline = session.spawn(() -> {
            blocked.countDown();
            try {
                never.await();
            } catch (InterruptedException e) {
                seen.add(e);
            }
        });
        assertTrue(blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        session.cancel("peer hung up");
        awaitEnded(child.context());
        assertThrows(CancellationException.class, inline::join);
        TestTrees.awaitTrue("both tasks saw the interrupt", () -> seen.size() == 2);
        CancellationException e = assertThrows(CancellationException.class, child::join);
        assertTrue(e.getMessage().contains("peer hung up"), e.getMessage());
    }

    @Test
    void childOfACancelledParentStartsCancelled() {
        Context parent = root.child("parent").open();
        parent.cancel("gone");
        Context child = parent.child("late").open();
        assertTrue(child.isCancelled());
        assertEquals("gone", child.cancellation().orElseThrow().reason());

        AtomicInteger ran = new AtomicInteger();
        Task<Integer> t = parent.spawnChild("late-task", ctx -> ran.incrementAndGet());
        assertThrows(CancellationException.class, t::join);
        assertTrue(t.context().isEnded(), "a task that never started still ends its context");
        assertEquals(0, ran.get());
    }

    @RepeatedTest(5)
    void noChildEscapesACancelThatRacesWithSpawning() throws Exception {
        Context parent = root.child("racing").open();
        ConcurrentLinkedQueue<Context> created = new ConcurrentLinkedQueue<>();
        cancelWhileRacing(parent, () -> created.size() > 100, () -> {
            Context c = parent.child("c").open();
            created.add(c);
            created.add(c.child("grandchild").open());
        });
        for (Context c : created) {
            assertTrue(c.isCancelled(), "escaped cancellation: " + c);
        }
    }

    /**
     * Spawned children race with their parent's cancel on an executor that only queues: a task the cancel did not
     * reach would stay pending (its context live) forever, as nobody runs the queue until the end.
     */
    @RepeatedTest(5)
    void noSpawnedTaskEscapesACancelThatRacesWithSpawning() throws Exception {
        ConcurrentLinkedQueue<Runnable> queued = new ConcurrentLinkedQueue<>();
        Context parent = root.child("racing-tasks").withExecutor(queued::add).open();
        ConcurrentLinkedQueue<Task<Integer>> spawned = new ConcurrentLinkedQueue<>();
        AtomicInteger ran = new AtomicInteger();
        cancelWhileRacing(parent, () -> spawned.size() > 100,
                () -> spawned.add(parent.spawnChild("t", ctx -> ran.incrementAndGet())));
        assertEquals(8_000, spawned.size());
        for (Task<Integer> t : spawned) {
            assertTrue(t.isCancelled(), "a task escaped the cancel: " + t.context());
            assertTrue(t.context().isEnded(), "a cancelled task that never ran still ends its context");
        }
        queued.forEach(Runnable::run);
        assertEquals(0, ran.get(), "a cancelled task's body never runs");
    }

    /**
     * Four threads do {@code step} 2,000 times each; once {@code underWay} holds, {@code parent} is cancelled in the
     * middle of it. Returns when the threads are done; fails if one of them threw.
     */
    private static void cancelWhileRacing(Context parent, BooleanSupplier underWay, Runnable step) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> problem = new AtomicReference<>();
        List<Thread> racers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    for (int j = 0; j < 2_000; j++) {
                        step.run();
                    }
                } catch (Throwable e) {
                    problem.set(e);
                }
            });
            racers.add(t);
            t.start();
        }
        go.countDown();
        TestTrees.awaitTrue("the racing threads are under way", underWay);
        parent.cancel("race");
        for (Thread t : racers) {
            t.join(WAIT.toMillis());
        }
        assertNull(problem.get());
    }

    @Test
    void closingAParentCancelsWhatStillRunsAndWaitsForIt() throws Exception {
        Context session = root.child("session").open();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch letFinish = new CountDownLatch(1);
        Task<Void> stubborn = session.spawnChild("stubborn", ctx -> {
            started.countDown();
            // ignores the interrupt until told to finish
            while (letFinish.getCount() > 0) {
                try {
                    letFinish.await();
                } catch (InterruptedException ignored) {
                    // stubborn on purpose
                }
            }
            return null;
        });
        assertTrue(started.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        session.close();
        assertEquals(ContextState.COMPLETED, session.state());
        assertFalse(session.isEnded(), "still has a running child");
        assertEquals(List.of(session), root.children(), "stays visible while its child runs");
        Cancellation why = stubborn.context().cancellation().orElseThrow();
        assertEquals("parent global.session completed", why.reason());

        letFinish.countDown();
        awaitEnded(session);
        assertTrue(stubborn.context().isEnded());
        assertEquals(List.of(), root.children());
    }
}
