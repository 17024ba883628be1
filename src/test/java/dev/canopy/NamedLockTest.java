package dev.canopy;

import dev.canopy.status.LockHolder;
import dev.canopy.status.LockSnapshot;
import dev.canopy.status.LockWaiter;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;

import static dev.canopy.TestTrees.WAIT;
import static dev.canopy.TestTrees.awaitTrue;
import static org.junit.jupiter.api.Assertions.*;

class NamedLockTest {
    private final ContextTree tree = ContextTree.create();
    private final Context root = tree.root();

    @AfterEach
    void closeTree() {
        tree.close();
    }

    @Test
    void aSnapshotNeverMixesTwoHolders() throws Exception {
        NamedLock shared = root.mutex("shared");
        handOverWhileReadingSnapshots(shared, shared::snapshot);
    }

    @Test
    void aSnapshotNeverMixesTwoWriters() throws Exception {
        // the write side's thread comes from the JDK lock, its context from the slot: both must be of one hold
        NamedReadWriteLock shared = root.readWriteLock("shared");
        handOverWhileReadingSnapshots(shared.writeLock(), shared::snapshot);
    }

    /** Two threads take turns holding {@code shared} while this one checks every holder status shows. */
    private void handOverWhileReadingSnapshots(Lock shared, Supplier<LockSnapshot> snapshots) throws Exception {
        // the holder is a reused slot rewritten on every acquisition: a reader must see one holder or none
        int rounds = 20_000;
        CountDownLatch ready = new CountDownLatch(2);
        List<Thread> workers = new ArrayList<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        for (String name : List.of("a", "b")) {
            Thread t = new Thread(() -> {
                Context mine = root.child(name).open();
                try (Scope s = mine.makeCurrent()) {
                    ready.countDown();
                    for (int i = 0; i < rounds; i++) {
                        shared.lock();
                        shared.unlock();
                    }
                } catch (Throwable e) {
                    failed.set(e);
                } finally {
                    mine.close();
                }
            }, "worker-" + name);
            workers.add(t);
            t.start();
        }
        assertTrue(ready.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        while (workers.stream().anyMatch(Thread::isAlive)) {
            for (LockHolder h : snapshots.get().holders()) {
                String context = h.contextPath().substring(h.contextPath().lastIndexOf('.') + 1);
                assertEquals("worker-" + context, h.thread().substring(0, h.thread().lastIndexOf('#')),
                        "holder context and thread come from one hold");
                assertEquals(1, h.count());
            }
        }
        for (Thread t : workers) {
            t.join(WAIT.toMillis());
        }
        assertNull(failed.get());
        assertTrue(snapshots.get().holders().isEmpty());
        assertEquals(2L * rounds, snapshots.get().acquisitions(), "statistics kept by the holders add up");
    }

    @Test
    void holderIsTheAcquiringContextAndThread() {
        Context session = root.child("alice").open();
        NamedLock out = session.mutex("session-output-lock");
        Context handler = session.child("stdout-handler").open();
        try (Scope s = handler.makeCurrent(); Held held = out.acquire()) {
            LockSnapshot snap = out.snapshot();
            assertEquals(LockKind.MUTEX, snap.kind());
            assertEquals("global.alice", snap.ownerPath());
            LockHolder h = snap.holders().get(0);
            assertEquals("global.alice.stdout-handler", h.contextPath());
            assertEquals(Thread.currentThread().getName() + "#" + LockRegistry.threadId(Thread.currentThread()),
                    h.thread());
            assertEquals(LockMode.EXCLUSIVE, h.mode());
            assertEquals(List.of(h.lockName()), handler.heldLocks().stream().map(LockHolder::lockName).toList());
            out.lock(); // reentrant
            assertEquals(2, out.getHoldCount());
            assertEquals(1, out.snapshot().holders().size());
            out.unlock();
        }
        assertTrue(out.snapshot().holders().isEmpty());
        assertTrue(handler.heldLocks().isEmpty());
        assertEquals(1, out.snapshot().acquisitions(), "reentrant holds are not new acquisitions");
    }

    @Test
    void waitersAreVisibleAndLeaveWhenTheyGetTheLock() throws Exception {
        NamedLock lock = root.mutex("user-table");
        Context holder = root.child("holder").open();
        Held held;
        try (Scope s = holder.makeCurrent()) {
            held = lock.acquire();
        }
        Task<String> waiter = root.spawnChild("stderr-stream", ctx -> {
            try (Held h = lock.acquire()) {
                return "got it";
            }
        });
        awaitTrue("the task waits", () -> lock.snapshot().waiters().size() == 1);
        LockWaiter w = lock.snapshot().waiters().get(0);
        assertEquals("global.stderr-stream", w.contextPath());
        assertEquals(LockMode.EXCLUSIVE, w.mode());
        assertEquals(1, waiter.context().awaitedLocks().size());
        assertEquals("waiting for lock \"user-table\"", waiter.context().currentOperation().orElseThrow().name());

        held.close();
        held.close(); // a second close does nothing
        assertEquals("got it", waiter.join());
        LockSnapshot after = lock.snapshot();
        assertTrue(after.waiters().isEmpty());
        assertTrue(after.holders().isEmpty());
        assertEquals(2, after.acquisitions());
        assertEquals(1, after.contendedAcquisitions());
        assertTrue(waiter.context().operations().isEmpty());
    }

    @Test
    void mutualExclusionAndBookkeepingUnderContention() {
        NamedLock lock = root.mutex("counter-lock");
        int[] unsafeCounter = {0};
        List<Task<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            tasks.add(root.spawnChild("worker", ctx -> {
                for (int i = 0; i < 2_000; i++) {
                    lock.lock();
                    try {
                        unsafeCounter[0]++;
                        assertEquals(1, lock.snapshot().holders().size());
                    } finally {
                        lock.unlock();
                    }
                }
                return null;
            }));
        }
        tasks.forEach(Task::join);
        assertEquals(16_000, unsafeCounter[0]);
        LockSnapshot s = lock.snapshot();
        assertEquals(16_000, s.acquisitions());
        assertTrue(s.holders().isEmpty());
        assertTrue(s.waiters().isEmpty());
        assertEquals(0, tree.lockRegistry().waiterCount());
    }

    @Test
    void aCancelledWaiterStopsWaitingAndLeavesTheWaiterList() throws Exception {
        NamedLock lock = root.mutex("session-output-lock");
        lock.lock();
        try {
            Task<Void> stuck = root.spawnChild("stderr-stream", ctx -> {
                lock.lock(); // uninterruptible: only cancellation ends this wait
                return null;
            });
            awaitTrue("waiting", () -> lock.snapshot().waiters().size() == 1);
            stuck.context().cancel("peer hung up");
            TestTrees.awaitEnded(stuck.context());
            assertTrue(lock.snapshot().waiters().isEmpty());
            assertEquals(ContextState.CANCELLED, stuck.context().state());
            assertTrue(stuck.context().awaitedLocks().isEmpty());
        } finally {
            lock.unlock();
        }
    }

    @org.junit.jupiter.api.RepeatedTest(20)
    void aCancelledWaitingTaskReportsCancellationNotFailure() throws Exception {
        NamedLock lock = root.mutex("l");
        lock.lock();
        try {
            Task<Void> t = root.spawnChild("waiter", ctx -> {
                lock.lock();
                return null;
            });
            awaitTrue("waiting", () -> lock.snapshot().waiters().size() == 1);
            t.context().cancel("stop");
            assertThrows(CancellationException.class, t::join);
            TestTrees.awaitEnded(t.context());
            assertEquals(ContextState.CANCELLED, t.context().state());
        } finally {
            lock.unlock();
        }
    }

    @Test
    void cancellationReachesWaitersOnThreadsThatAreNotTasks() throws Exception {
        NamedLock lock = root.mutex("l");
        lock.lock();
        Context session = root.child("session").open();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread plain = new Thread(() -> {
            try (Scope s = session.makeCurrent()) {
                lock.lockInterruptibly();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        plain.start();
        awaitTrue("waiting", () -> lock.snapshot().waiters().size() == 1);
        session.cancel("shutting down");
        plain.join(WAIT.toMillis());
        assertInstanceOf(CancellationException.class, thrown.get());
        assertEquals("stopped waiting for lock \"l\": context global.session was cancelled: shutting down",
                thrown.get().getMessage());
        assertTrue(lock.snapshot().waiters().isEmpty());
        lock.unlock();
    }

    @Test
    void plainInterruptsFollowTheMethodsContract() throws Exception {
        NamedLock lock = root.mutex("l");
        lock.lock();
        AtomicReference<Throwable> interruptible = new AtomicReference<>();
        Thread a = new Thread(() -> {
            try {
                lock.lockInterruptibly();
            } catch (Throwable t) {
                interruptible.set(t);
            }
        });
        a.start();
        awaitTrue("a waits", () -> lock.snapshot().waiters().size() == 1);
        a.interrupt();
        a.join(WAIT.toMillis());
        assertInstanceOf(InterruptedException.class, interruptible.get());

        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        CountDownLatch acquired = new CountDownLatch(1);
        Thread b = new Thread(() -> {
            lock.lock(); // keeps waiting through the interrupt
            stillInterrupted.set(Thread.currentThread().isInterrupted());
            lock.unlock();
            acquired.countDown();
        });
        b.start();
        awaitTrue("b waits", () -> lock.snapshot().waiters().size() == 1);
        b.interrupt();
        awaitTrue("b saw the interrupt and waits on", () -> lock.hasQueuedThreads());
        assertEquals(1, acquired.getCount());
        lock.unlock();
        assertTrue(acquired.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(stillInterrupted.get(), "the interrupt is restored after lock()");
    }

    @Test
    void tryLockWithTimeoutGivesUpAndLeavesNoWaiter() throws Exception {
        NamedLock lock = root.mutex("l");
        lock.lock();
        Task<Boolean> t = root.spawnChild("impatient", ctx -> lock.tryLock(20, TimeUnit.MILLISECONDS));
        assertFalse(t.join());
        assertTrue(lock.snapshot().waiters().isEmpty());
        assertTrue(lock.tryLock(), "reentrant tryLock");
        lock.unlock();
        lock.unlock();
        assertTrue(root.spawnChild("patient", ctx -> {
            boolean ok = lock.tryLock(1, TimeUnit.SECONDS);
            lock.unlock();
            return ok;
        }).join());
    }

    @Test
    void aTimedWaitTooShortToShowIsNeitherRegisteredNorAnnounced() throws Exception {
        java.util.concurrent.atomic.AtomicInteger waitsAnnounced = new java.util.concurrent.atomic.AtomicInteger();
        dev.canopy.spi.TreeListener waits = new dev.canopy.spi.TreeListener() {
            @Override
            public Object lockWaitStarted(dev.canopy.spi.LockView lock, Context waiter, LockMode mode, int permits) {
                waitsAnnounced.incrementAndGet();
                return null;
            }
        };
        try (ContextTree t = ContextTree.builder().listener(waits).build()) {
            for (boolean fair : new boolean[] {false, true}) {
                NamedLock lock = t.root().mutex(fair ? "fair" : "unfair", fair);
                NamedSemaphore pool = t.root().semaphore("pool-" + fair, 0, fair);
                lock.lock();
                try {
                    Task<List<Boolean>> impatient = t.root().spawnChild("impatient", ctx -> List.of(
                            lock.tryLock(0, TimeUnit.NANOSECONDS),
                            lock.tryLock(LockCore.UNTRACKED_WAIT_NANOS, TimeUnit.NANOSECONDS),
                            pool.tryAcquire(0, TimeUnit.SECONDS),
                            pool.tryAcquire(20, TimeUnit.MICROSECONDS)));
                    assertEquals(List.of(false, false, false, false), impatient.join());
                    assertEquals(0, waitsAnnounced.get(), "fair: " + fair);
                    // a longer timed wait is shown: what this test would see of a short one
                    assertFalse(t.root().spawnChild("patient", ctx -> lock.tryLock(1, TimeUnit.MILLISECONDS)).join());
                    assertEquals(1, waitsAnnounced.getAndSet(0), "fair: " + fair);
                    assertEquals(0, lock.snapshot().contendedAcquisitions(), "a wait that gave up is not counted");
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    @Test
    void unlockByANonHolderIsRefusedAsTheJdkDoes() {
        NamedLock lock = root.mutex("session-output-lock");
        IllegalMonitorStateException e = assertThrows(IllegalMonitorStateException.class, lock::unlock);
        assertTrue(e.getMessage().startsWith("named lock \"session-output-lock\" unlocked by thread"), e.getMessage());
        assertTrue(e.getMessage().endsWith("which does not hold it (nobody holds it)"), e.getMessage());
        Context owner = root.child("owner").open();
        try (Scope s = owner.makeCurrent()) {
            lock.lock();
        }
        CompletionException fromOther = assertThrows(CompletionException.class,
                () -> root.spawnChild("intruder", ctx -> {
                    lock.unlock();
                    return null;
                }).join());
        assertTrue(fromOther.getCause().getMessage().contains("held by global.owner"), fromOther.getCause().getMessage());
        assertEquals(1, lock.snapshot().holders().size(), "bookkeeping untouched");
        lock.unlock();
    }

    @Test
    void conditionWaitGivesTheLockUp() throws Exception {
        NamedLock lock = root.mutex("queue");
        Condition notEmpty = lock.newCondition();
        List<String> queue = new ArrayList<>();
        CountDownLatch aboutToWait = new CountDownLatch(1);
        Task<String> consumer = root.spawnChild("consumer", ctx -> {
            lock.lock();
            try {
                while (queue.isEmpty()) {
                    aboutToWait.countDown();
                    notEmpty.await();
                }
                assertEquals("global.consumer", lock.snapshot().holders().get(0).contextPath());
                return queue.remove(0);
            } finally {
                lock.unlock();
            }
        });
        assertTrue(aboutToWait.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        lock.lock(); // succeeds only once the consumer's await gave the lock up
        assertEquals("global", lock.snapshot().holders().get(0).contextPath(), "status shows who holds it now");
        queue.add("job");
        notEmpty.signal();
        lock.unlock();
        assertEquals("job", consumer.join());
        assertTrue(lock.snapshot().holders().isEmpty());
        assertEquals(2, lock.snapshot().acquisitions(), "a wake-up from the wait is no new acquisition");
        assertThrows(IllegalMonitorStateException.class, notEmpty::await);
    }

    @Test
    void aLockOutlivesItsContextAndIsReportedWithItsPath() {
        Context request = root.child("request").open();
        NamedLock lock = request.mutex("request-lock");
        request.close();
        try (Held h = lock.acquire()) {
            assertEquals("global.request", tree.locks().stream().filter(l -> l.name().equals("request-lock"))
                    .findFirst().orElseThrow().ownerPath());
        }
        assertTrue(tree.locks().stream().noneMatch(l -> l.name().equals("request-lock")),
                "an idle lock of an ended context leaves the registry");
        lock.lock();
        assertTrue(tree.locks().stream().anyMatch(l -> l.name().equals("request-lock")), "and comes back when used");
        lock.unlock();
    }

    @Test
    void badLockInputIsRefusedClearly() {
        assertThrows(IllegalArgumentException.class, () -> root.mutex(" "));
        assertThrows(NullPointerException.class, () -> root.readWriteLock(null));
        assertEquals("semaphore \"db\" permits must not be negative: -1",
                assertThrows(IllegalArgumentException.class, () -> root.semaphore("db", -1)).getMessage());
    }

    @Test
    void operationsNestAndShowWhatTheContextIsStuckOn() {
        Context c = root.child("query").open();
        assertTrue(c.currentOperation().isEmpty());
        try (Operation outer = c.operation("handle request")) {
            try (Operation inner = c.operation("await database-query")) {
                assertEquals("await database-query", c.currentOperation().orElseThrow().name());
                assertEquals(2, c.operations().size());
                assertEquals("await database-query", inner.name());
            }
            assertEquals("handle request", c.currentOperation().orElseThrow().name());
        }
        assertTrue(c.currentOperation().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> c.operation(""));
    }

    @Test
    void threadsWithoutANameAreShownByTheirIdAsVirtualThreadsUsuallyAre() throws Exception {
        NamedLock lock = root.mutex("orders");
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Runnable holdUntilReleased = () -> {
            try (Held h = lock.acquire()) {
                held.countDown();
                release.await();
            } catch (Throwable e) {
                failed.set(e);
            }
        };
        Thread holder = new Thread(holdUntilReleased, "");
        Thread waiter = new Thread(() -> {
            try (Held h = lock.acquire()) {
                // acquired once the holder let go
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "");
        holder.start();
        assertTrue(held.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        waiter.start();
        try {
            awaitTrue("waiting", () -> lock.snapshot().waiters().size() == 1);
            LockSnapshot snap = lock.snapshot();
            assertEquals("unnamed#" + LockRegistry.threadId(holder), snap.holders().get(0).thread());
            assertEquals("unnamed#" + LockRegistry.threadId(waiter), snap.waiters().get(0).thread());
            IllegalMonitorStateException e = assertThrows(IllegalMonitorStateException.class, lock::unlock);
            assertTrue(e.getMessage().contains("[unnamed#" + LockRegistry.threadId(holder) + "]"), e.getMessage());
        } finally {
            release.countDown();
            holder.join(WAIT.toMillis());
            waiter.join(WAIT.toMillis());
        }
        assertNull(failed.get());
    }

    @Test
    void waitingHappensOnVirtualThreadsOnModernJdks() {
        NamedLock lock = root.mutex("l");
        lock.lock();
        Task<Boolean> t = root.spawnChild("v", ctx -> {
            lock.lock();
            lock.unlock();
            return TestTrees.isVirtual(Thread.currentThread());
        });
        try {
            awaitTrue("waiting", () -> lock.snapshot().waiters().size() == 1);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } finally {
            lock.unlock();
        }
        assertEquals(Runtime.version().feature() >= 21, t.join());
    }
}
