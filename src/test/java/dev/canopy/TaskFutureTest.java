package dev.canopy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.canopy.TestTrees.WAIT;
import static org.junit.jupiter.api.Assertions.*;

/** A task is its own future: waiting, timing out, interrupts and cancels as {@code Future} promises them. */
class TaskFutureTest {
    private final ContextTree tree = ContextTree.create();
    private final Context root = tree.root();

    @AfterEach
    void closeTree() {
        tree.close();
    }

    /** A task of {@link #startBlocked()}: its body waits in {@code global.blocked} until released. */
    private record Blocked(Task<String> task, CountDownLatch latch) {
        void release() {
            latch.countDown();
        }
    }

    /** Spawns a task whose body returns "done" once released; returns when the body runs. */
    private Blocked startBlocked() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Task<String> task = root.spawnChild("blocked", ctx -> {
            started.countDown();
            assertTrue(release.await(WAIT.toSeconds(), TimeUnit.SECONDS), "released");
            return "done";
        });
        assertTrue(started.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        return new Blocked(task, release);
    }

    @Test
    void everyThreadWaitingForTheResultGetsIt() throws Exception {
        Blocked blocked = startBlocked();
        Task<String> task = blocked.task();
        List<CompletableFuture<String>> joiners = new ArrayList<>();
        CountDownLatch joining = new CountDownLatch(4);
        for (int i = 0; i < 4; i++) {
            joiners.add(CompletableFuture.supplyAsync(() -> {
                joining.countDown();
                return task.join();
            }, runOnNewThread()));
        }
        assertTrue(joining.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertFalse(task.isDone());
        blocked.release();
        for (CompletableFuture<String> j : joiners) {
            assertEquals("done", j.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        assertTrue(task.context().isEnded(), "the context ends before the result is handed out");
    }

    @Test
    void aTimedGetTimesOutAndLaterWaitersStillGetTheResult() throws Exception {
        Blocked blocked = startBlocked();
        Task<String> task = blocked.task();
        for (int i = 0; i < 1_000; i++) {
            assertThrows(TimeoutException.class, () -> task.get(0, TimeUnit.NANOSECONDS));
        }
        TimeoutException e = assertThrows(TimeoutException.class, () -> task.get(1, TimeUnit.MILLISECONDS));
        assertTrue(e.getMessage().contains("global.blocked"), e.getMessage());
        CompletableFuture<String> joiner = CompletableFuture.supplyAsync(task::join, runOnNewThread());
        blocked.release();
        assertEquals("done", joiner.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals("done", task.get(0, TimeUnit.NANOSECONDS), "done: no wait needed");
    }

    @Test
    void anInterruptedWaiterStopsWaitingAndTheTaskCarriesOn() throws Exception {
        Blocked blocked = startBlocked();
        Task<String> task = blocked.task();
        CompletableFuture<Throwable> waiter = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                task.get();
                waiter.complete(null);
            } catch (Throwable e) {
                waiter.complete(e);
            }
        });
        t.start();
        TestTrees.awaitTrue("the waiter parked", () -> t.getState() == Thread.State.WAITING);
        t.interrupt();
        assertInstanceOf(InterruptedException.class, waiter.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertFalse(task.isDone());
        blocked.release();
        assertEquals("done", task.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void aCancelledTaskWakesItsWaitersWithTheCancellation() throws Exception {
        Blocked blocked = startBlocked();
        Task<String> task = blocked.task();
        CompletableFuture<Throwable> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                task.get();
                return null;
            } catch (Throwable e) {
                return e;
            }
        }, runOnNewThread());
        task.cancel(true);
        Throwable seen = waiter.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertInstanceOf(CancellationException.class, seen);
        assertTrue(seen.getMessage().contains("task cancelled"), seen.getMessage());
        assertTrue(task.isCancelled());
        assertTrue(task.isDone());
    }

    @Test
    void aTaskRunsOnceHoweverOftenItIsRun() {
        List<Runnable> queued = new ArrayList<>();
        Executor later = queued::add;
        int[] runs = new int[1];
        Task<Integer> task = root.child("once").withExecutor(later).spawn(ctx -> ++runs[0]);
        assertEquals(1, queued.size());
        queued.get(0).run();
        queued.get(0).run();
        assertEquals(1, task.join());
        assertEquals(1, runs[0]);
        assertEquals(ContextState.COMPLETED, task.context().state());
    }

    @Test
    void aCancelBeforeTheRunEndsTheContextAtOnceAndTheRunDoesNothing() {
        List<Runnable> queued = new ArrayList<>();
        AtomicBoolean ran = new AtomicBoolean();
        Task<Void> task = root.child("queued").withExecutor(queued::add).spawn(ctx -> {
            ran.set(true);
            return null;
        });
        assertTrue(task.cancel(false));
        assertTrue(task.context().isEnded(), "nobody will run it: its context ended with the cancel");
        assertEquals(ContextState.CANCELLED, task.context().state());
        boolean interruptedBefore = Thread.currentThread().isInterrupted();
        queued.get(0).run();
        assertFalse(ran.get());
        assertEquals(interruptedBefore, Thread.interrupted(), "no interrupt left behind for the thread that ran it");
        assertThrows(CancellationException.class, task::join);
    }

    @Test
    void aTaskSpawnedOnAContextMayBeCancelledWithoutInterruptingItsBody() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Context svc = root.child("svc").open();
        Task<String> task = svc.spawn(() -> {
            started.countDown();
            assertTrue(release.await(WAIT.toSeconds(), TimeUnit.SECONDS), "released");
            interrupted.set(Thread.currentThread().isInterrupted());
            returned.countDown();
            return "late";
        });
        assertTrue(started.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(task.cancel(false));
        assertThrows(CancellationException.class, task::get, "cancelled at once, whatever the body does");
        release.countDown();
        assertTrue(returned.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertFalse(interrupted.get(), "cancel(false) leaves the body alone");
        assertThrows(CancellationException.class, task::join, "its late result is not handed out");
        svc.close();
        TestTrees.awaitEnded(svc);
        assertEquals(ContextState.COMPLETED, svc.state());
    }

    @Test
    void aJoinerWokenByACancelBeforeTheRunSeesTheContextEnded() throws Exception {
        for (int round = 0; round < 200; round++) {
            List<Runnable> queued = new ArrayList<>();
            Task<Integer> task = root.child("queued").withExecutor(queued::add).spawn(ctx -> 1);
            CompletableFuture<Boolean> endedWhenWoken = CompletableFuture.supplyAsync(() -> {
                try {
                    task.join();
                    return false;
                } catch (CancellationException e) {
                    return task.context().isEnded();
                }
            }, runOnNewThread());
            task.cancel(true);
            assertTrue(endedWhenWoken.get(WAIT.toSeconds(), TimeUnit.SECONDS), "round " + round);
        }
    }

    @Test
    void cancelFalseDoesNotSwallowAnInterruptSomeoneElseSent() {
        List<Runnable> queued = new ArrayList<>();
        Context svc = root.child("svc").withExecutor(queued::add).open();
        java.util.concurrent.atomic.AtomicReference<Task<Void>> self = new java.util.concurrent.atomic.AtomicReference<>();
        Task<Void> task = svc.spawn(() -> {
            assertTrue(self.get().cancel(false));
            Thread.currentThread().interrupt(); // not the cancel's: the thread's own business
            return null;
        });
        self.set(task);
        queued.get(0).run();
        assertTrue(Thread.interrupted(), "the interrupt is still there after run() returned");
        assertTrue(task.isCancelled());
        svc.close();
    }

    @Test
    void onlyTheCancelThatCancelledReportsIt() throws Exception {
        for (int round = 0; round < 200; round++) {
            CountDownLatch started = new CountDownLatch(1);
            Task<Void> task = root.spawnChild("racing", ctx -> {
                started.countDown();
                new CountDownLatch(1).await(); // until interrupted
                return null;
            });
            assertTrue(started.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Boolean>> cancels = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                cancels.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    return task.cancel(true);
                }, runOnNewThread()));
            }
            go.countDown();
            int reported = 0;
            for (CompletableFuture<Boolean> c : cancels) {
                reported += c.get(WAIT.toSeconds(), TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(1, reported, "round " + round);
            assertFalse(task.cancel(true), "a later cancel cancels nothing");
        }
    }

    private static Executor runOnNewThread() {
        return r -> new Thread(r).start();
    }
}
