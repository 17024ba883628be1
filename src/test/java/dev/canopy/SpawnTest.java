package dev.canopy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.canopy.TestTrees.WAIT;
import static dev.canopy.TestTrees.awaitEnded;
import static org.junit.jupiter.api.Assertions.*;

class SpawnTest {
    private final ContextTree tree = ContextTree.create();
    private final Context root = tree.root();

    @AfterEach
    void closeTree() {
        tree.close();
    }

    @Test
    void spawnRunsInTheContextItselfWithoutAChild() throws Exception {
        Context svc = root.child("svc").open();
        AtomicReference<Context> seen = new AtomicReference<>();
        Task<Void> t = svc.spawn(() -> seen.set(Canopy.current()));
        t.join();
        assertSame(svc, seen.get());
        assertSame(svc, t.context());
        assertTrue(svc.children().isEmpty());

        Task<Integer> c = svc.spawn(() -> 41 + 1);
        assertEquals(42, c.join());
        assertEquals(42, c.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void spawnChildRunsInItsOwnChildWhichCompletesWithTheBody() throws Exception {
        Context session = root.child("alice").open();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        Task<Integer> t = session.spawnChild("stdout-handler", ctx -> {
            assertSame(ctx, Canopy.current());
            running.countDown();
            assertTrue(release.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            return 42;
        });
        assertTrue(running.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        Context child = t.context();
        assertEquals("alice.stdout-handler", child.path().substring("global.".length()));
        assertEquals(List.of(child), session.children());
        assertEquals(ContextState.ACTIVE, child.state());

        release.countDown();
        assertEquals(42, t.join());
        // join returns only after the context ended
        assertEquals(ContextState.COMPLETED, child.state());
        assertTrue(child.isEnded());
        assertTrue(session.children().isEmpty());
    }

    @Test
    void builderSpawnCarriesDataAndMetrics() {
        Task<String> t = root.child("stderr-stream")
                .withData("peer", "alice")
                .withMetric("bytes", MetricValue.bytes(0))
                .spawn(ctx -> ctx.getData("peer", String.class).orElseThrow() + ":" + ctx.getMetric("bytes").orElseThrow());
        assertEquals("alice:Bytes[value=0]", t.join());
    }

    @Test
    void checkedExceptionFailsTheContextAndIsKept() throws Exception {
        IOException boom = new IOException("disk gone");
        Task<Void> t = root.spawnChild("writer", ctx -> {
            throw boom;
        });
        CompletionException joined = assertThrows(CompletionException.class, t::join);
        assertSame(boom, joined.getCause());
        ExecutionException got = assertThrows(ExecutionException.class, t::get);
        assertSame(boom, got.getCause());
        assertEquals(ContextState.FAILED, t.context().state());
        assertSame(boom, t.context().failure().orElseThrow());
        assertTrue(t.context().isEnded());
    }

    @Test
    void errorsFailTheContextToo() {
        Task<Void> t = root.spawnChild("overflow", ctx -> {
            throw new StackOverflowError("deep");
        });
        CompletionException e = assertThrows(CompletionException.class, t::join);
        assertInstanceOf(StackOverflowError.class, e.getCause());
        assertEquals(ContextState.FAILED, t.context().state());
    }

    @Test
    void cancellingAChildTaskCancelsItsContextAndInterruptsIt() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Task<Void> t = root.spawnChild("blocked", ctx -> {
            running.countDown();
            try {
                never.await();
            } catch (InterruptedException e) {
                seen.set(e);
                throw e;
            }
            return null;
        });
        assertTrue(running.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(t.cancel(true));
        CancellationException ce = assertThrows(CancellationException.class, t::join);
        assertTrue(ce.getMessage().contains("task cancelled"), ce.getMessage());
        awaitEnded(t.context());
        assertInstanceOf(InterruptedException.class, seen.get());
        assertEquals(ContextState.CANCELLED, t.context().state());
        assertTrue(t.isCancelled());
    }

    @Test
    void defaultExecutorIsVirtualOnModernJdksAndPlatformDaemonsOn17() {
        Thread thread = root.spawn(Thread::currentThread).join();
        if (Runtime.version().feature() >= 21) {
            assertTrue(tree.usesVirtualThreads());
            assertTrue(TestTrees.isVirtual(thread), "virtual thread expected on JDK " + Runtime.version());
        } else {
            assertFalse(tree.usesVirtualThreads());
            assertTrue(thread.isDaemon());
            assertTrue(thread.getName().startsWith("canopy-task-"), thread.getName());
        }
    }

    @Test
    void executorIsConfigurablePerTreeAndPerChild() {
        ExecutorService named = Executors.newSingleThreadExecutor(r -> new Thread(r, "tree-exec"));
        ExecutorService other = Executors.newSingleThreadExecutor(r -> new Thread(r, "child-exec"));
        try (ContextTree t = ContextTree.builder().executor(named).build()) {
            assertEquals("tree-exec", t.root().spawn(() -> Thread.currentThread().getName()).join());
            Context special = t.root().child("special").withExecutor(other).open();
            assertEquals("child-exec", special.spawnChild("x", c -> Thread.currentThread().getName()).join());
            assertEquals("child-exec", special.spawn(() -> Thread.currentThread().getName()).join(),
                    "descendants inherit the executor");
        } finally {
            named.shutdownNow();
            other.shutdownNow();
        }
    }

    @Test
    void callerRunsExecutorRestoresTheCallersContext() {
        Executor direct = Runnable::run;
        try (ContextTree t = ContextTree.builder().executor(direct).build()) {
            Context svc = t.root().child("svc").open();
            try (Scope ignored = svc.makeCurrent()) {
                Task<String> task = svc.spawnChild("inline", ctx -> Canopy.current().path());
                assertTrue(task.isDone());
                assertEquals("global.svc.inline", task.join());
                assertSame(svc, Canopy.current());
            }
        }
    }

    @Test
    void rejectedTaskFailsItsChildAndLeavesNothingBehind() {
        Executor rejecting = r -> {
            throw new RejectedExecutionException("queue full");
        };
        Context parent = root.child("parent").withExecutor(rejecting).open();
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class,
                () -> parent.spawnChild("doomed", ctx -> 1));
        assertEquals("queue full", e.getMessage());
        assertTrue(parent.children().isEmpty(), "the rejected child is not left live");
        assertThrows(RejectedExecutionException.class, () -> parent.spawn(() -> 1));
        assertEquals(1, tree.statistics().failed());
    }

    @Test
    void spawningOnAnEndedContextIsRefused() {
        Context done = root.child("done").open();
        done.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> done.spawn(() -> 1));
        assertTrue(e.getMessage().contains("global.done"), e.getMessage());
        IllegalStateException e2 = assertThrows(IllegalStateException.class, () -> done.spawnChild("x", c -> 1));
        assertTrue(e2.getMessage().contains("completed"), e2.getMessage());
        assertThrows(IllegalStateException.class, () -> done.child("y").open());
    }

    @Test
    void aDependentOfEndedMayJoinTheTaskWithoutDeadlock() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        Task<Integer> t = root.spawnChild("worker", ctx -> {
            go.await();
            return 7;
        });
        java.util.concurrent.CompletableFuture<Integer> joined = t.context().ended().thenApply(state -> t.join());
        go.countDown();
        assertEquals(7, joined.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void tasksQueuedOnAContextAreCancelledWhenItCloses() {
        List<Runnable> queue = new ArrayList<>();
        Executor queueing = queue::add;
        Context svc = root.child("svc").withExecutor(queueing).open();
        java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
        Task<Void> queued = svc.spawn(() -> ran.set(true));
        Task<Void> queuedChild = svc.spawnChild("child", ctx -> {
            ran.set(true);
            return null;
        });
        svc.close();
        assertThrows(CancellationException.class, queued::join);
        assertThrows(CancellationException.class, queuedChild::join);
        assertTrue(svc.isEnded(), "nothing runs under it any more");
        queue.forEach(Runnable::run); // the executor gets round to them late
        assertFalse(ran.get(), "cancelled tasks never run their bodies");
    }

    @Test
    void aContextStaysInTheTreeWhileTasksSpawnedOnItRun() throws Exception {
        Context svc = root.child("svc").open();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Task<Void> t = svc.spawn(() -> {
            started.countDown();
            while (finish.getCount() > 0) {
                try {
                    finish.await();
                } catch (InterruptedException ignored) {
                    // finishes only when told
                }
            }
        });
        assertTrue(started.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        svc.close();
        assertThrows(CancellationException.class, t::join);
        assertFalse(svc.isEnded(), "its task still runs");
        assertEquals(List.of(svc), root.children());
        finish.countDown();
        awaitEnded(svc);
        assertEquals(List.of(), root.children());
    }

    @Test
    void cancelReportsWhetherItCancelled() {
        Task<Integer> done = root.spawnChild("done", ctx -> 1);
        done.join();
        assertFalse(done.cancel(true), "a finished task cannot be cancelled");
        assertFalse(done.isCancelled());
        assertEquals(ContextState.COMPLETED, done.context().state());
    }

    @Test
    void tenThousandConcurrentSpawnsLeaveNoChildren() throws Exception {
        Context parent = root.child("load").open();
        int threads = 8;
        int perThread = 1250;
        List<Thread> spawners = new ArrayList<>();
        List<Task<Integer>> tasks = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        for (int i = 0; i < threads; i++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int j = 0; j < perThread; j++) {
                    int v = j;
                    tasks.add(parent.spawnChild("request", ctx -> v));
                }
            });
            spawners.add(th);
            th.start();
        }
        go.countDown();
        for (Thread th : spawners) {
            th.join(WAIT.toMillis());
        }
        assertEquals(threads * perThread, tasks.size());
        for (Task<Integer> t : tasks) {
            t.join();
            assertTrue(t.context().isEnded());
        }
        assertEquals(List.of(), parent.children());
        assertEquals(threads * perThread, tree.statistics().completed());
    }
}
