package dev.canopy;

import dev.canopy.status.Deadlock;
import dev.canopy.status.Severity;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

import static dev.canopy.TestTrees.WAIT;
import static dev.canopy.TestTrees.awaitTrue;
import static org.junit.jupiter.api.Assertions.*;

class DeadlockTest {
    private final ContextTree tree = ContextTree.builder().deadlockCheckPeriod(Duration.ofMillis(20)).build();
    private final Context root = tree.root();

    @AfterEach
    void closeTree() {
        tree.close();
    }

    /** Each task takes its first lock, meets the others, then asks for the next one's lock. */
    private List<Task<Void>> cycle(List<String> contexts, List<NamedLock> locks) {
        CyclicBarrier allHoldTheirFirst = new CyclicBarrier(contexts.size());
        List<Task<Void>> tasks = new java.util.ArrayList<>();
        for (int i = 0; i < contexts.size(); i++) {
            NamedLock mine = locks.get(i);
            NamedLock next = locks.get((i + 1) % locks.size());
            tasks.add(root.spawnChild(contexts.get(i), ctx -> {
                try (Held first = mine.acquire()) {
                    allHoldTheirFirst.await();
                    try (Held second = next.acquire()) {
                        return null;
                    }
                }
            }));
        }
        return tasks;
    }

    @Test
    void aTwoLockCycleIsFoundWithItsSteps() throws Exception {
        NamedLock l1 = root.mutex("accounts");
        NamedLock l2 = root.mutex("ledger");
        List<Task<Void>> tasks = cycle(List.of("transfer-a", "transfer-b"), List.of(l1, l2));
        awaitTrue("deadlock found", () -> tree.deadlocks().stream().anyMatch(d -> d.source().equals("CANOPY")));
        Deadlock d = tree.deadlocks().get(0);
        assertEquals("CANOPY", d.source());
        assertEquals(2, d.size());
        // each step waits for a lock the next step holds
        Deadlock.Step s0 = d.steps().get(0);
        Deadlock.Step s1 = d.steps().get(1);
        assertEquals(s0.contextPath().equals("global.transfer-a") ? "ledger" : "accounts", s0.lockName());
        assertEquals(s1.contextPath().equals("global.transfer-a") ? "ledger" : "accounts", s1.lockName());
        assertNotEquals(s0.contextPath(), s1.contextPath());
        assertTrue(d.describe().contains("waits for"), d.describe());
        assertEquals(1, tree.deadlocks().size(), "the JVM's own finding of the same cycle is not repeated");
        assertTrue(tree.warnings().stream().anyMatch(w -> w.severity() == Severity.CRITICAL));

        tasks.get(0).context().cancel("break the deadlock");
        tasks.get(1).join();
        awaitTrue("resolved", () -> tree.deadlocks().isEmpty());
    }

    @Test
    void aThreeContextCycleIsFoundInWaitOrder() throws Exception {
        NamedLock a = root.mutex("a");
        NamedLock b = root.mutex("b");
        NamedLock c = root.mutex("c");
        List<Task<Void>> tasks = cycle(List.of("x", "y", "z"), List.of(a, b, c));
        awaitTrue("deadlock found", () -> tree.deadlocks().stream().anyMatch(d -> d.source().equals("CANOPY")));
        Deadlock d = tree.deadlocks().get(0);
        assertEquals(3, d.size());
        // step i's lock is held by step i+1: x waits for b (held by y), y for c (held by z), z for a (held by x)
        java.util.Map<String, String> waitsFor = new java.util.HashMap<>();
        for (Deadlock.Step s : d.steps()) {
            waitsFor.put(s.contextPath(), s.lockName());
        }
        assertEquals(java.util.Map.of("global.x", "b", "global.y", "c", "global.z", "a"), waitsFor);
        for (int i = 0; i < 3; i++) {
            String heldByNext = switch (d.steps().get((i + 1) % 3).contextPath()) {
                case "global.x" -> "a";
                case "global.y" -> "b";
                default -> "c";
            };
            assertEquals(heldByNext, d.steps().get(i).lockName());
        }
        tasks.forEach(t -> t.context().cancel());
    }

    @Test
    void noFalsePositiveWhenAWaitResolves() throws Exception {
        NamedLock lock = root.mutex("l");
        lock.lock();
        Task<Void> waiter = root.spawnChild("w", ctx -> {
            lock.lock();
            lock.unlock();
            return null;
        });
        awaitTrue("waiting", () -> lock.snapshot().waiters().size() == 1);
        assertEquals(List.of(), tree.deadlocks());
        lock.unlock();
        waiter.join();
        assertEquals(List.of(), tree.deadlocks());
    }

    @Test
    void aSemaphoreWaitIsNoDeadlockWhileAnotherHolderCanRelease() throws Exception {
        NamedSemaphore pool = root.semaphore("pool", 2);
        NamedLock m = root.mutex("m");
        CountDownLatch freeHolderMayRelease = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(2);
        // "free" holds a permit and will release it; "a" holds a permit and waits for m; "b" holds m and waits for a permit
        Task<Void> free = root.spawnChild("free", ctx -> {
            pool.acquire();
            holding.countDown();
            freeHolderMayRelease.await();
            pool.release();
            return null;
        });
        Task<Void> a = root.spawnChild("a", ctx -> {
            pool.acquire();
            holding.countDown();
            awaitTrue("b holds m", () -> m.isLocked());
            m.lock();
            m.unlock();
            pool.release();
            return null;
        });
        assertTrue(holding.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        Task<Void> b = root.spawnChild("b", ctx -> {
            m.lock();
            try {
                pool.acquire();
                pool.release();
            } finally {
                m.unlock();
            }
            return null;
        });
        awaitTrue("both wait", () -> pool.snapshot().waiters().size() == 1 && m.snapshot().waiters().size() == 1);
        assertEquals(List.of(), tree.deadlocks(), "\"free\" can still release a permit");
        freeHolderMayRelease.countDown();
        free.join();
        b.join();
        a.join();
    }

    @Test
    void aSemaphoreCycleWithEveryHolderStuckIsADeadlock() throws Exception {
        NamedSemaphore pool = root.semaphore("pool", 1);
        NamedLock m = root.mutex("m");
        CountDownLatch aHoldsPermit = new CountDownLatch(1);
        Task<Void> a = root.spawnChild("a", ctx -> {
            pool.acquire();
            aHoldsPermit.countDown();
            awaitTrue("b holds m", () -> m.isLocked());
            m.lock();
            return null;
        });
        assertTrue(aHoldsPermit.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        Task<Void> b = root.spawnChild("b", ctx -> {
            m.lock();
            pool.acquire();
            return null;
        });
        awaitTrue("deadlock", () -> tree.deadlocks().stream().anyMatch(d -> d.source().equals("CANOPY")));
        Deadlock d = tree.deadlocks().get(0);
        assertEquals(List.of("m", "pool"), d.steps().stream().map(Deadlock.Step::lockName).sorted().toList());
        a.context().cancel();
        b.context().cancel();
    }

    @Test
    void aReadToWriteUpgradeIsASelfDeadlock() throws Exception {
        NamedReadWriteLock rw = root.readWriteLock("table");
        Task<Void> upgrader = root.spawnChild("upgrader", ctx -> {
            rw.readLock().lock();
            rw.writeLock().lock(); // ReentrantReadWriteLock never upgrades: waits forever
            return null;
        });
        awaitTrue("self-deadlock found", () -> tree.deadlocks().stream().anyMatch(d -> d.source().equals("CANOPY")));
        Deadlock d = tree.deadlocks().get(0);
        assertEquals(1, d.size());
        assertEquals("global.upgrader", d.steps().get(0).contextPath());
        assertEquals(LockMode.WRITE, d.steps().get(0).mode());
        assertEquals("self-deadlock: a thread waits for a lock it holds", d.headline());
        upgrader.context().cancel();
    }

    @Test
    void theJvmsOwnFindingsAreMergedIn() throws Exception {
        List<Thread> threads = plainJdkLockCycle("plain-jdk-lock-user");
        Deadlock d = jdkDeadlock(tree);
        assertEquals(2, d.size());
        assertTrue(d.steps().get(0).contextPath().startsWith("thread plain-jdk-lock-user#"), d.describe());
        assertTrue(d.steps().get(0).lockName().contains("ReentrantLock"), d.describe());
        breakPlainCycle(threads);
        awaitTrue("gone", () -> tree.deadlocks().isEmpty());
    }

    /** Two threads outside any tree, deadlocked on two plain {@code ReentrantLock}s until interrupted. */
    private static List<Thread> plainJdkLockCycle(String threadName) {
        ReentrantLock m1 = new ReentrantLock();
        ReentrantLock m2 = new ReentrantLock();
        CyclicBarrier both = new CyclicBarrier(2);
        List<Thread> threads = new java.util.ArrayList<>();
        for (var pair : List.of(List.of(m1, m2), List.of(m2, m1))) {
            Thread t = new Thread(() -> {
                pair.get(0).lock();
                try {
                    both.await();
                    pair.get(1).lockInterruptibly();
                } catch (Exception e) {
                    return; // interrupted: the test breaks the deadlock
                } finally {
                    pair.get(0).unlock();
                }
            }, threadName);
            threads.add(t);
            t.start();
        }
        return threads;
    }

    private static void breakPlainCycle(List<Thread> threads) throws InterruptedException {
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            t.join(WAIT.toMillis());
        }
    }

    /**
     * Two tasks that each hold {@code held} (a named lock, or null) and take {@code first}, then wait for
     * {@code second} interruptibly: a cycle the JVM finds when the tasks run on platform threads (it finds none among
     * virtual threads). Cancelling the tasks breaks it.
     */
    private static List<Task<Void>> jdkCycle(Context parent, List<String> names, List<NamedLock> held,
                                            List<Lock> first, List<Lock> second) {
        CyclicBarrier both = new CyclicBarrier(2);
        List<Task<Void>> tasks = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            NamedLock session = held.get(i);
            Lock mine = first.get(i);
            Lock theirs = second.get(i);
            tasks.add(parent.spawnChild(names.get(i), ctx -> {
                if (session != null) {
                    session.lock();
                }
                mine.lock();
                try {
                    both.await();
                    theirs.lockInterruptibly();
                    theirs.unlock();
                } catch (InterruptedException | java.util.concurrent.CancellationException e) {
                    // cancelled: the test breaks the deadlock
                } finally {
                    mine.unlock();
                    if (session != null) {
                        session.unlock();
                    }
                }
                return null;
            }));
        }
        return tasks;
    }

    /**
     * Under {@code service}: {@code holds-orders} holds the named mutex "orders" and waits for a plain
     * {@code ReentrantLock} that {@code holds-cache} holds while waiting for "orders".
     */
    private static List<Task<Void>> namedAndJdkLockCycle(Context service) {
        NamedLock orders = service.mutex("orders");
        Lock cache = new ReentrantLock();
        List<NamedLock> none = java.util.Arrays.asList(null, null);
        return jdkCycle(service, List.of("holds-orders", "holds-cache"), none, List.of(orders, cache),
                List.of(cache, orders));
    }

    /**
     * The JVM's report, once it has one, from the look that found it: a thread about to wait for a named lock parks
     * for its first 50 µs with a timeout and leaves the queue when it ends, so for that moment the JVM sees no cycle,
     * and a second look may miss one the first saw.
     */
    private static Deadlock jdkDeadlock(ContextTree t) throws InterruptedException {
        java.util.concurrent.atomic.AtomicReference<Deadlock> found = new java.util.concurrent.atomic.AtomicReference<>();
        awaitTrue("the JVM finds it", () -> {
            found.set(t.deadlocks().stream().filter(d -> d.source().equals("JDK")).findFirst().orElse(null));
            return found.get() != null;
        });
        return found.get();
    }

    private static void breakAndAwaitGone(ContextTree t, List<Task<Void>> tasks) throws Exception {
        tasks.forEach(task -> task.context().cancel());
        for (Task<Void> task : tasks) {
            task.context().ended().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        awaitTrue("gone", () -> t.deadlocks().isEmpty());
    }

    private static java.util.Set<String> contextsOf(Deadlock d) {
        return d.steps().stream().map(Deadlock.Step::contextPath).collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void aJdkCycleBetweenThreadsThatHoldOtherNamedLocksIsStillReported() throws Exception {
        java.util.concurrent.ExecutorService platformThreads = java.util.concurrent.Executors.newCachedThreadPool();
        try (ContextTree t = ContextTree.builder().executor(platformThreads).build()) {
            Context service = t.root().child("service").open();
            Lock m1 = new ReentrantLock();
            Lock m2 = new ReentrantLock();
            // each request holds its session's named lock, then deadlocks on plain JDK locks
            List<Task<Void>> tasks = jdkCycle(service, List.of("request-a", "request-b"),
                    List.of(service.mutex("session-a"), service.mutex("session-b")), List.of(m1, m2), List.of(m2, m1));
            Deadlock d = jdkDeadlock(t);
            assertEquals(java.util.Set.of("global.service.request-a", "global.service.request-b"), contextsOf(d),
                    d.describe());
            assertTrue(d.steps().stream().allMatch(st -> st.lockName().contains("ReentrantLock")), d.describe());
            assertTrue(t.warnings().stream().anyMatch(w -> w.kind() == dev.canopy.status.WarningKind.DEADLOCK));
            breakAndAwaitGone(t, tasks);
        } finally {
            platformThreads.shutdownNow();
        }
    }

    @Test
    void aCycleThroughANamedLockAndAJdkLockNamesTheNamedLock() throws Exception {
        java.util.concurrent.ExecutorService platformThreads = java.util.concurrent.Executors.newCachedThreadPool();
        try (ContextTree t = ContextTree.builder().executor(platformThreads).build()) {
            List<Task<Void>> tasks = namedAndJdkLockCycle(t.root().child("service").open());
            Deadlock d = jdkDeadlock(t);
            assertEquals(java.util.Set.of("global.service.holds-orders", "global.service.holds-cache"),
                    contextsOf(d), d.describe());
            Deadlock.Step waitsForOrders = d.steps().stream()
                    .filter(st -> st.contextPath().endsWith("holds-cache")).findFirst().orElseThrow();
            assertEquals("orders", waitsForOrders.lockName(), d.describe());
            breakAndAwaitGone(t, tasks);
        } finally {
            platformThreads.shutdownNow();
        }
    }

    @Test
    void threadsOfTheTreesTasksAreShownAsTheirContexts() throws Exception {
        java.util.concurrent.ExecutorService platformThreads = java.util.concurrent.Executors.newCachedThreadPool();
        try (ContextTree t = ContextTree.builder().executor(platformThreads).build()) {
            Lock m1 = new ReentrantLock();
            Lock m2 = new ReentrantLock();
            List<NamedLock> none = java.util.Arrays.asList(null, null);
            List<Task<Void>> tasks = jdkCycle(t.root(), List.of("left", "right"), none, List.of(m1, m2),
                    List.of(m2, m1));
            Deadlock d = jdkDeadlock(t);
            assertEquals(java.util.Set.of("global.left", "global.right"), contextsOf(d), d.describe());
            // what --path shows: a branch sees the deadlock of its own tasks
            String branch = t.status().render(dev.canopy.status.RenderOptions.plain().withSystem(false)
                    .withPathPrefix("global.left"));
            assertTrue(branch.contains("global.left ["), branch);
            breakAndAwaitGone(t, tasks);
        } finally {
            platformThreads.shutdownNow();
        }
    }

    @Test
    void theWatchdogReportsEachNewCycleOnce() throws Exception {
        CopyOnWriteArrayList<Deadlock> reported = new CopyOnWriteArrayList<>();
        CountDownLatch first = new CountDownLatch(1);
        tree.onDeadlock(d -> {
            reported.add(d);
            first.countDown();
        });
        List<Task<Void>> tasks = cycle(List.of("p", "q"), List.of(root.mutex("l1"), root.mutex("l2")));
        assertTrue(first.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        // several more watchdog rounds pass while the cycle persists
        long rounds = tree.lockRegistry().watchRounds.get();
        awaitTrue("five more rounds", () -> tree.lockRegistry().watchRounds.get() >= rounds + 5);
        assertEquals(1, reported.size());
        tasks.forEach(t -> t.context().cancel());
    }

    @Test
    void theWatchdogReportsACycleThroughANamedLockAndAJdkLockOnce() throws Exception {
        java.util.concurrent.ExecutorService platformThreads = java.util.concurrent.Executors.newCachedThreadPool();
        try (ContextTree t = ContextTree.builder().executor(platformThreads)
                .deadlockCheckPeriod(Duration.ofMillis(20)).build()) {
            CopyOnWriteArrayList<Deadlock> reported = new CopyOnWriteArrayList<>();
            CountDownLatch first = new CountDownLatch(1);
            t.onDeadlock(d -> {
                reported.add(d);
                first.countDown();
            });
            List<Task<Void>> tasks = namedAndJdkLockCycle(t.root().child("service").open());
            assertTrue(first.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the watchdog reports the cycle");
            Deadlock d = reported.get(0);
            assertEquals("JDK", d.source(), d.describe());
            assertEquals(java.util.Set.of("global.service.holds-orders", "global.service.holds-cache"),
                    contextsOf(d), d.describe());
            long rounds = t.lockRegistry().watchRounds.get();
            awaitTrue("five more rounds", () -> t.lockRegistry().watchRounds.get() >= rounds + 5);
            assertEquals(1, reported.size(), () -> reported.toString());
            breakAndAwaitGone(t, tasks);
        } finally {
            platformThreads.shutdownNow();
        }
    }

    @Test
    void theWatchdogLeavesTheJvmsOtherDeadlocksToTheJvm() throws Exception {
        CopyOnWriteArrayList<Deadlock> reported = new CopyOnWriteArrayList<>();
        tree.onDeadlock(reported::add);
        // a long wait for a named lock, so the watchdog asks the JVM ...
        NamedLock busy = root.mutex("busy");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        Task<Void> holder = root.spawnChild("holder", ctx -> {
            try (Held h = busy.acquire()) {
                holding.countDown();
                release.await();
            }
            return null;
        });
        assertTrue(holding.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        Task<Void> waiter = root.spawnChild("waiter", ctx -> {
            try (Held h = busy.acquire()) {
                return null;
            }
        });
        // ... and a cycle of plain JDK locks on threads that have nothing to do with the tree
        List<Thread> threads = plainJdkLockCycle("unrelated-jdk-lock-user");
        try {
            awaitTrue("the JVM's cycle is listed", () -> tree.deadlocks().stream().anyMatch(d -> d.source().equals("JDK")));
            awaitTrue("the named wait has lasted a period", () -> tree.locks().stream()
                    .flatMap(l -> l.waiters().stream())
                    .anyMatch(w -> w.waiting().compareTo(Duration.ofMillis(40)) > 0));
            long rounds = tree.lockRegistry().watchRounds.get();
            awaitTrue("five more rounds", () -> tree.lockRegistry().watchRounds.get() >= rounds + 5);
            assertEquals(List.of(), reported);
        } finally {
            breakPlainCycle(threads);
            release.countDown();
        }
        holder.join();
        waiter.join();
    }
}
