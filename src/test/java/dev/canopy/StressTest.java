package dev.canopy;

import dev.canopy.jmx.JmxExporter;
import dev.canopy.jmx.JmxPolicy;

import dev.canopy.status.LockSnapshot;
import dev.canopy.status.LockWaiter;
import dev.canopy.status.Status;

import dev.canopy.jfr.JfrTemplates;
import dev.canopy.spi.LockView;
import dev.canopy.spi.TreeListener;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.canopy.TestTrees.WAIT;
import static dev.canopy.TestTrees.awaitTrue;
import static org.junit.jupiter.api.Assertions.*;

/** The stress and fault group: bounded, run by the same mvn verify in a JVM of its own. */
@Tag("stress")
class StressTest {

    private static long heapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    @Test
    void aMillionShortContextsLeaveNothingBehind() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        String domain = "dev.canopy.stress";
        long before;
        JmxExporter jmx = JmxExporter.create(JmxPolicy.defaults().withMode(JmxPolicy.Mode.ALL).withDomain(domain));
        try (ContextTree tree = ContextTree.builder().rootName("stress").listener(jmx).build()) {
            Context parent = tree.root().child("load").open();
            // warm everything up once, so class loading and JIT data are in the first measurement too
            parent.spawnChild("request", c -> null).join();
            before = heapAfterGc();
            int threads = 8;
            int each = 125_000;
            List<Thread> spawners = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    try {
                        for (int i = 0; i < each; i++) {
                            parent.spawnChild("request", ctx -> {
                                ctx.incrementTotal("requests");
                                ctx.incrementLive("inflight");
                                return null;
                            }).join();
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                spawners.add(th);
                th.start();
            }
            for (Thread th : spawners) {
                th.join(TimeUnit.MINUTES.toMillis(3));
            }
            assertNull(failure.get());
            assertEquals(1_000_000, tree.counters().total("stress.load.request.requests"));
            assertEquals(0, tree.counters().live("stress.load.request.live_inflight"));
            assertEquals(List.of(), parent.children());
            assertEquals(1_000_001, tree.statistics().completed());
            jmx.refresh();
            Set<ObjectName> left = server.queryNames(new ObjectName(domain + ":type=Context,*"), null);
            assertEquals(2, left.size(), "only stress and stress.load keep beans: " + left);
            long after = heapAfterGc();
            System.out.printf("heap after GC: %,d bytes before, %,d after a million contexts%n", before, after);
            assertTrue(after <= before * 1.10, String.format("heap grew from %,d to %,d bytes", before, after));
        }
        assertEquals(Set.of(), server.queryNames(new ObjectName(domain + ":*"), null));
    }

    /**
     * More threads than the child set has stripes (so threads share stripes) open and close children of one parent
     * while it is cancelled and then closed: a child opened after the cancel starts cancelled, the children still
     * open are cancelled by the end, and the parent leaves the tree exactly when the last of them closes.
     */
    @Test
    void childrenOfOneParentFromManyThreadsSeeItsCancelAndItsEnd() throws Exception {
        try (ContextTree tree = ContextTree.builder().rootName("stripes").build()) {
            for (int round = 0; round < 10; round++) {
                Context parent = tree.root().child("service").open();
                int threads = 2 * 16 + 1; // more than the most stripes any machine gets
                AtomicLong opened = new AtomicLong();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                List<Context> kept = Collections.synchronizedList(new ArrayList<>());
                List<Thread> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    Thread th = new Thread(() -> {
                        try {
                            for (int i = 0; i < 1_000_000; i++) {
                                boolean cancelledBefore = parent.isCancelled();
                                Context c;
                                try {
                                    c = parent.child("request").open();
                                } catch (IllegalStateException refused) {
                                    assertTrue(parent.state() != ContextState.ACTIVE, "refused by an active parent");
                                    return;
                                }
                                opened.incrementAndGet();
                                if (cancelledBefore && !c.isCancelled()) {
                                    throw new AssertionError("a child opened after its parent's cancel is not cancelled");
                                }
                                if (i % 16 == 0) {
                                    kept.add(c);
                                } else {
                                    c.close();
                                }
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    });
                    workers.add(th);
                    th.start();
                }
                awaitTrue("children opened from every thread", () -> opened.get() >= 20L * threads);
                parent.cancel("stop");
                awaitTrue("more children opened after the cancel", () -> opened.get() >= 40L * threads);
                parent.close();
                for (Thread th : workers) {
                    th.join(WAIT.toMillis());
                    assertFalse(th.isAlive(), "a worker was never refused");
                }
                assertNull(failure.get());
                assertEquals(ContextState.CANCELLED, parent.state());
                List<Context> stillOpen = List.copyOf(kept);
                assertFalse(stillOpen.isEmpty());
                for (Context c : stillOpen) {
                    assertTrue(c.isCancelled(), c + " was never cancelled");
                }
                assertEquals(stillOpen.size(), parent.children().size());
                for (Context c : stillOpen) {
                    assertFalse(parent.isEnded(), "the parent left the tree while children were open");
                    c.close();
                }
                assertTrue(parent.isEnded());
                assertEquals(List.of(), tree.root().children());
            }
        }
    }

    /**
     * A parent and its last child closed at the same moment from two threads: whichever gets there second detaches
     * the parent, never before its outcome is written, and exactly once.
     */
    @Test
    void aParentAndItsLastChildClosingTogetherEndOnce() throws Exception {
        try (ContextTree tree = ContextTree.builder().rootName("race").build()) {
            Context service = tree.root().child("service").open();
            int rounds = 20_000;
            java.util.concurrent.CyclicBarrier both = new java.util.concurrent.CyclicBarrier(2);
            AtomicReference<Context> child = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread closer = new Thread(() -> {
                try {
                    for (int i = 0; i < rounds; i++) {
                        both.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                        child.get().close();
                        both.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            closer.start();
            for (int i = 0; i < rounds && failure.get() == null; i++) {
                Context parent = service.child("parent").open();
                child.set(parent.child("child").open());
                both.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                parent.close();
                both.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertTrue(parent.isEnded(), "round " + i + ": the parent is still in the tree");
                assertEquals(ContextState.COMPLETED, parent.state());
            }
            closer.join(WAIT.toMillis());
            assertNull(failure.get());
            assertEquals(List.of(), service.children());
            assertEquals(2 + 2L * rounds, tree.statistics().created());
            assertEquals(2L * rounds, tree.statistics().completed() + tree.statistics().cancelled());
        }
    }

    @Test
    void sixteenThreadsOfRandomOperationsKeepTheInvariants() throws Exception {
        try (ContextTree tree = ContextTree.builder().rootName("chaos").build()) {
            Context arena = tree.root().child("arena").open();
            List<NamedLock> locks = List.of(arena.mutex("a"), arena.mutex("b"), arena.mutex("c"));
            NamedSemaphore pool = arena.semaphore("pool", 3);
            ConcurrentLinkedQueue<Context> everything = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong operations = new AtomicLong();
            CountDownLatch idle = new CountDownLatch(16);
            CountDownLatch invariantsChecked = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                Thread th = new Thread(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    ArrayDeque<Context> mine = new ArrayDeque<>();
                    try {
                        while (!stop.get()) {
                            operations.incrementAndGet();
                            int op = r.nextInt(6);
                            if (op < 2 && mine.size() >= 200) {
                                op = 2; // bounded: each thread keeps at most 200 open, so the tree stays walkable
                            }
                            switch (op) {
                                case 0, 1 -> { // open a worker, under another live one now and then
                                    Context parent = mine.isEmpty() || r.nextBoolean() ? arena : mine.peekLast();
                                    try {
                                        Context c = parent.child("worker").open();
                                        c.incrementLive("open");
                                        mine.add(c);
                                        everything.add(c);
                                    } catch (IllegalStateException ended) {
                                        // the parent ended meanwhile: refused, nothing created
                                    }
                                }
                                case 2 -> {
                                    Context c = mine.pollFirst();
                                    if (c != null) {
                                        c.close();
                                    }
                                }
                                case 3 -> {
                                    Context c = mine.peekFirst();
                                    if (c != null) {
                                        c.cancel("random cancel");
                                    }
                                }
                                case 4 -> { // locks in a fixed order: contention, no deadlock
                                    Context c = mine.isEmpty() ? arena : mine.peekLast();
                                    try (Scope s = c.makeCurrent()) {
                                        NamedLock l = locks.get(r.nextInt(locks.size()));
                                        if (l.tryLock(5, TimeUnit.MILLISECONDS)) {
                                            l.unlock();
                                        }
                                    } catch (CancellationException cancelled) {
                                        // the context was cancelled while waiting: the documented outcome
                                    }
                                }
                                default -> {
                                    try {
                                        if (pool.tryAcquire(5, TimeUnit.MILLISECONDS)) {
                                            pool.release();
                                        }
                                    } catch (CancellationException cancelled) {
                                        // the arena is never cancelled, so this does not happen
                                    }
                                }
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        // hold still, contexts open, until the invariants have been checked
                        idle.countDown();
                        try {
                            invariantsChecked.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        Context c;
                        while ((c = mine.pollFirst()) != null) {
                            c.close();
                        }
                    }
                });
                threads.add(th);
                th.start();
            }
            CountDownLatch checked = new CountDownLatch(1);
            // while it runs: snapshots never fail and every waiter shown is a registered one
            Thread observer = new Thread(() -> {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                try {
                    while (System.nanoTime() < end) {
                        Status s = tree.status();
                        for (LockWaiter w : s.lockWaiters()) {
                            assertTrue(w.waiting().compareTo(Duration.ZERO) >= 0);
                        }
                        assertNotNull(tree.deadlocks());
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    checked.countDown();
                }
            });
            observer.start();
            assertTrue(checked.await(60, TimeUnit.SECONDS));
            stop.set(true);
            assertTrue(idle.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            // quiet now, with many contexts still open: no live child of a cancelled context is uncancelled, and
            // the live count is exactly the number of workers still open
            long open = 0;
            for (Context c : everything) {
                if (!c.isEnded()) {
                    open++;
                }
                if (c.isCancelled()) {
                    for (Context child : c.children()) {
                        assertTrue(child.isCancelled(), "escaped cancellation: " + child);
                    }
                }
            }
            assertTrue(open > 0, "the check saw open workers");
            assertEquals(open, tree.counters().rollupLive("chaos.arena", "open"));
            invariantsChecked.countDown();
            for (Thread th : threads) {
                th.join(WAIT.toMillis());
            }
            assertNull(failure.get(), () -> String.valueOf(failure.get()));
            assertTrue(operations.get() > 10_000, "it did work: " + operations.get());
            // every worker was closed: live counts are back to zero, nothing is held or awaited
            assertEquals(0, tree.counters().rollupLive("chaos.arena", "open"));
            assertTrue(arena.children().isEmpty(), arena.children().toString());
            for (LockSnapshot l : tree.locks()) {
                assertEquals(List.of(), l.holders(), l.name());
                assertEquals(List.of(), l.waiters(), l.name());
            }
            assertEquals(0, tree.lockRegistry().waiterCount());
            assertEquals(3, pool.availablePermits());
        }
    }

    @Test
    void anInterruptStormLeavesTheBookkeepingExact() throws Exception {
        try (ContextTree tree = ContextTree.builder().rootName("storm").build()) {
            Context svc = tree.root().child("svc").open();
            NamedLock lock = svc.mutex("contended");
            Set<Thread> workers = Collections.newSetFromMap(new java.util.concurrent.ConcurrentHashMap<>());
            lock.lock();
            List<Task<String>> tasks = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                boolean interruptible = i % 2 == 0;
                tasks.add(svc.spawnChild("waiter", ctx -> {
                    workers.add(Thread.currentThread());
                    if (interruptible) {
                        try {
                            lock.lockInterruptibly();
                        } catch (InterruptedException e) {
                            return "interrupted";
                        }
                    } else {
                        lock.lock();
                    }
                    lock.unlock();
                    return Thread.currentThread().isInterrupted() ? "acquired, flag kept" : "acquired";
                }));
            }
            awaitTrue("all waiting", () -> workers.size() == 40);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() < end) {
                workers.forEach(Thread::interrupt);
                Thread.onSpinWait();
            }
            lock.unlock();
            int interrupted = 0;
            for (int i = 0; i < tasks.size(); i++) {
                String result = tasks.get(i).join();
                if (i % 2 == 0) {
                    interrupted += result.equals("interrupted") ? 1 : 0;
                } else {
                    assertTrue(result.startsWith("acquired"), "lock() keeps waiting through interrupts: " + result);
                }
            }
            assertTrue(interrupted > 0, "lockInterruptibly answered the storm");
            assertEquals(List.of(), lock.snapshot().waiters());
            assertEquals(List.of(), lock.snapshot().holders());
            assertEquals(0, tree.lockRegistry().waiterCount());
            awaitTrue("all ended", () -> svc.children().isEmpty());
        }
    }

    @Test
    void jfrRecordingsStartingAndStoppingMidRunBreakNothing() throws Exception {
        try (ContextTree tree = ContextTree.builder().rootName("jfrchurn").build()) {
            Context svc = tree.root().child("svc").open();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong made = new AtomicLong();
            List<Thread> churners = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread th = new Thread(() -> {
                    try {
                        NamedLock l = svc.mutex("l");
                        while (!stop.get()) {
                            try (Context c = svc.child("request").open(); Held h = l.acquire()) {
                                c.incrementTotal("requests");
                                made.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                churners.add(th);
                th.start();
            }
            for (int i = 0; i < 5; i++) {
                try (Recording r = new Recording(JfrTemplates.debugConfiguration())) {
                    r.start();
                    long start = made.get();
                    awaitTrue("some work while recording", () -> made.get() > start + 1_000);
                    r.stop();
                }
            }
            stop.set(true);
            for (Thread th : churners) {
                th.join(WAIT.toMillis());
            }
            assertNull(failure.get());
            assertEquals(made.get(), tree.counters().total("jfrchurn.svc.request.requests"));
            assertTrue(svc.children().isEmpty());
        }
    }

    @Test
    void releasesAcrossThreadsRacingTheHoldersOwnAcquisitionsLoseNoPermitAndNoHold() throws Exception {
        Set<Object> announced = ConcurrentHashMap.newKeySet();
        AtomicLong strayEnds = new AtomicLong();
        TreeListener holds = new TreeListener() {
            @Override
            public boolean wantsLockHolds() {
                return true;
            }

            @Override
            public Object lockHoldStarted(LockView lock, Context holder, LockMode mode) {
                Object hold = new Object();
                announced.add(hold);
                return hold;
            }

            @Override
            public void lockHoldEnded(LockView lock, Context holder, LockMode mode, Object attachment) {
                if (!announced.remove(attachment)) {
                    strayEnds.incrementAndGet();
                }
            }
        };
        int holders = 3;
        int rounds = 20_000;
        int permits = 4;
        try (ContextTree tree = ContextTree.builder().rootName("permits").listener(holds).build()) {
            Context job = tree.root().child("job").open();
            NamedSemaphore pool = job.semaphore("pool", permits);
            BlockingQueue<Integer> handedOver = new ArrayBlockingQueue<>(16);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < holders; i++) {
                threads.add(new Thread(job.wrap(() -> {
                    try {
                        for (int r = 0; r < rounds; r++) {
                            // one permit for the releaser to give back from its own thread (whichever of the
                            // context's permits it takes), then a pair of the holder's own: every acquisition and
                            // release of a holder races the releaser's rewriting of the holders' slots
                            pool.acquireUninterruptibly();
                            handedOver.put(1);
                            pool.acquireUninterruptibly();
                            pool.release();
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }), "holder-" + i));
            }
            threads.add(new Thread(job.wrap(() -> {
                try {
                    for (int r = 0; r < holders * rounds; r++) {
                        if (handedOver.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS) == null) {
                            throw new AssertionError("the holders stopped handing permits over");
                        }
                        pool.release(); // never refused: the context holds every permit handed over
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }), "releaser"));
            Thread watcher = new Thread(() -> {
                try {
                    while (running.get()) {
                        for (var h : pool.snapshot().holders()) {
                            assertEquals("permits.job", h.contextPath());
                            assertTrue(h.count() >= 1 && h.count() <= permits, "a hold of " + h.count());
                            assertTrue(h.thread().startsWith("holder-") || h.thread().startsWith("releaser"),
                                    h.thread());
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "watcher");
            watcher.start();
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join(WAIT.toMillis() * 6);
                assertFalse(t.isAlive(), t.getName() + " finished");
            }
            running.set(false);
            watcher.join(WAIT.toMillis());
            assertNull(failure.get());
            assertEquals(permits, pool.availablePermits(), "every permit is back, none minted");
            assertTrue(pool.snapshot().holders().isEmpty());
            assertEquals(2L * holders * rounds, pool.snapshot().acquisitions());
            assertEquals(0, strayEnds.get(), "no hold ended twice or unannounced");
            assertTrue(announced.isEmpty(), "every announced hold ended: " + announced.size() + " open");
        }
    }

    @Test
    void aTaskThatThrowsAnErrorEndsFailedAndTheTreeGoesOn() {
        try (ContextTree tree = ContextTree.builder().rootName("errors").build()) {
            Context svc = tree.root().child("svc").open();
            for (int i = 0; i < 1_000; i++) {
                Task<Void> t = svc.spawnChild("oom", ctx -> {
                    ctx.incrementLive("held");
                    throw new OutOfMemoryError("simulated");
                });
                CompletionException e = assertThrows(CompletionException.class, t::join);
                assertInstanceOf(OutOfMemoryError.class, e.getCause());
            }
            assertEquals(1_000, tree.statistics().failed());
            assertEquals(0, tree.counters().live("errors.svc.oom.live_held"));
            assertEquals(42, svc.spawnChild("after", c -> 42).join());
        }
    }
}
