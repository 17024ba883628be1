package dev.canopy;

import dev.canopy.status.LockHolder;
import dev.canopy.status.LockSnapshot;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.canopy.TestTrees.WAIT;
import static dev.canopy.TestTrees.awaitTrue;
import static org.junit.jupiter.api.Assertions.*;

class ReadWriteAndSemaphoreTest {
    private final ContextTree tree = ContextTree.create();
    private final Context root = tree.root();

    @AfterEach
    void closeTree() {
        tree.close();
    }

    @Test
    void aCancelledSemaphoreWaitSaysItWasASemaphore() throws Exception {
        NamedSemaphore pool = root.semaphore("upstream-connections", 1);
        pool.acquire();
        java.util.concurrent.CompletableFuture<Throwable> thrown = new java.util.concurrent.CompletableFuture<>();
        Task<Void> waiter = root.spawnChild("request", ctx -> {
            try {
                pool.acquire();
            } catch (Throwable t) {
                thrown.complete(t);
            }
            return null;
        });
        awaitTrue("the request waits", () -> pool.snapshot().waiters().size() == 1);
        waiter.context().cancel("shutting down");
        Throwable t = thrown.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertInstanceOf(java.util.concurrent.CancellationException.class, t);
        assertEquals("stopped waiting for semaphore \"upstream-connections\": context global.request was cancelled: "
                + "shutting down", t.getMessage());
        assertTrue(pool.snapshot().waiters().isEmpty());
        pool.release();
    }

    @Test
    void readersShareAndAWriterWaitsForAllOfThem() throws Exception {
        NamedReadWriteLock users = root.readWriteLock("user-table");
        CountDownLatch bothReading = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        for (String reader : List.of("reader-a", "reader-b")) {
            root.spawnChild(reader, ctx -> {
                try (Held read = users.acquireRead()) {
                    bothReading.countDown();
                    release.await();
                }
                return null;
            });
        }
        assertTrue(bothReading.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        LockSnapshot shared = users.snapshot();
        assertEquals(List.of("global.reader-a", "global.reader-b"),
                shared.holders().stream().map(LockHolder::contextPath).sorted().toList());
        assertTrue(shared.holders().stream().allMatch(h -> h.mode() == LockMode.READ));

        Task<Void> writer = root.spawnChild("db-writer", ctx -> {
            try (Held write = users.acquireWrite()) {
                LockSnapshot exclusive = users.snapshot();
                assertEquals(1, exclusive.holders().size());
                assertEquals(LockMode.WRITE, exclusive.holders().get(0).mode());
            }
            return null;
        });
        awaitTrue("writer waits", () -> users.snapshot().waiters().size() == 1);
        assertEquals(LockMode.WRITE, users.snapshot().waiters().get(0).mode());
        assertEquals(2, users.snapshot().holders().size(), "the writer is excluded while readers hold");
        release.countDown();
        writer.join();
        assertTrue(users.snapshot().holders().isEmpty());
    }

    @Test
    void reentrantReadsAndDowngradeAreTracked() {
        NamedReadWriteLock rw = root.readWriteLock("cache");
        rw.writeLock().lock();
        rw.readLock().lock(); // downgrade: write holder takes the read lock too
        assertEquals(2, rw.snapshot().holders().size());
        rw.writeLock().unlock();
        rw.readLock().lock();
        LockHolder reader = rw.snapshot().holders().get(0);
        assertEquals(LockMode.READ, reader.mode());
        assertEquals(2, reader.count());
        rw.readLock().unlock();
        rw.readLock().unlock();
        assertTrue(rw.snapshot().holders().isEmpty());
        assertThrows(IllegalMonitorStateException.class, () -> rw.readLock().unlock());
        assertThrows(IllegalMonitorStateException.class, () -> rw.writeLock().unlock());
    }

    @Test
    void semaphorePermitsAreAccountedPerContext() throws Exception {
        NamedSemaphore pool = root.semaphore("db-connections", 3);
        Context a = root.child("a").open();
        Context b = root.child("b").open();
        try (Scope s = a.makeCurrent()) {
            pool.acquire(2);
            assertEquals(2, pool.heldByCurrentContext());
        }
        Held bPermit;
        try (Scope s = b.makeCurrent()) {
            bPermit = pool.permit();
        }
        assertEquals(0, pool.availablePermits());
        LockSnapshot snap = pool.snapshot();
        assertEquals(List.of("global.a=2", "global.b=1"), snap.holders().stream()
                .map(h -> h.contextPath() + "=" + h.count()).sorted().toList());

        Task<Boolean> d = root.spawnChild("d", ctx -> pool.tryAcquire(2, WAIT.toSeconds(), TimeUnit.SECONDS));
        awaitTrue("d waits for 2", () -> pool.snapshot().waiters().size() == 1);
        assertEquals(2, pool.snapshot().waiters().get(0).permits());

        try (Scope s = a.makeCurrent()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.release(3));
            assertEquals("context global.a holds 2 permits of semaphore \"db-connections\" and cannot release 3",
                    e.getMessage());
            pool.release(2);
        }
        assertTrue(d.join());
        assertEquals("global.d=2", pool.snapshot().holders().stream()
                .filter(h -> h.contextPath().equals("global.d")).map(h -> h.contextPath() + "=" + h.count())
                .findFirst().orElseThrow());
        bPermit.close(); // the guard gives back b's permit even when closed elsewhere
        assertEquals(1, pool.availablePermits(), "d still holds its 2 permits after its task ended");
    }

    @Test
    void waitsForOnePermitAreSeenTimeOutAndEndWithThePermit() throws Exception {
        NamedSemaphore pool = root.semaphore("one", 1);
        Held rootPermit = pool.permit(); // no current context: the tree's root holds it
        assertEquals(List.of("global=1"), holders(pool));
        assertFalse(pool.tryAcquire(20, TimeUnit.MILLISECONDS), "nobody gives the permit back meanwhile");

        Task<Boolean> w = root.spawnChild("w", ctx -> {
            pool.acquire();
            pool.release();
            return true;
        });
        awaitTrue("w waits for 1", () -> pool.snapshot().waiters().size() == 1);
        assertEquals("global.w", pool.snapshot().waiters().get(0).contextPath());
        assertEquals(1, pool.snapshot().waiters().get(0).permits());
        rootPermit.close();
        assertTrue(w.join());
        assertEquals(1, pool.availablePermits());
        assertTrue(pool.snapshot().holders().isEmpty());
        assertTrue(pool.snapshot().waiters().isEmpty());
    }

    @Test
    void zeroPermitsHoldNothing() throws Exception {
        NamedSemaphore s = root.semaphore("s", 1);
        s.acquire(0);
        assertTrue(s.tryAcquire(0));
        s.release(0);
        assertTrue(s.snapshot().holders().isEmpty());
        assertEquals(Duration.ZERO, s.snapshot().totalHold());
    }

    @Test
    void anyThreadOfTheHoldingContextMayRelease() throws Exception {
        NamedSemaphore s = root.semaphore("s", 2);
        Context worker = root.child("worker").open();
        try (Scope sc = worker.makeCurrent()) {
            s.acquire(2);
        }
        Thread other = new Thread(worker.wrap(() -> s.release(2)));
        other.start();
        other.join(WAIT.toMillis());
        assertEquals(2, s.availablePermits());
        assertTrue(s.snapshot().holders().isEmpty());
    }

    @Test
    void writeLockConditionsWorkAsInTheJdk() throws Exception {
        NamedReadWriteLock rw = root.readWriteLock("rw");
        java.util.concurrent.locks.Condition changed = rw.writeLock().newCondition();
        CountDownLatch waiting = new CountDownLatch(1);
        Task<Void> t = root.spawnChild("waiter", ctx -> {
            rw.writeLock().lock();
            try {
                waiting.countDown();
                changed.await();
            } finally {
                rw.writeLock().unlock();
            }
            return null;
        });
        assertTrue(waiting.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        rw.writeLock().lock(); // only possible once the waiter gave it up
        assertEquals("global", rw.snapshot().holders().get(0).contextPath());
        changed.signal();
        rw.writeLock().unlock();
        t.join();
    }

    @Test
    void reentrantHoldsAreCountedAndFairLocksLetThemThrough() throws Exception {
        NamedLock fair = root.mutex("fair", true);
        fair.lock();
        Task<Void> queued = root.spawnChild("queued", ctx -> {
            fair.lock();
            fair.unlock();
            return null;
        });
        awaitTrue("someone queues", fair::hasQueuedThreads);
        Context cancelled = root.child("cancelled").open();
        cancelled.cancel();
        try (Scope s = cancelled.makeCurrent()) {
            fair.lock(); // reentrant: never waits, so cancellation does not stop it
        }
        assertEquals(2, fair.snapshot().holders().get(0).count());
        fair.unlock();
        assertEquals(1, fair.snapshot().holders().get(0).count());
        fair.unlock();
        queued.join();
    }

    @Test
    void semaphoreBadInput() {
        NamedSemaphore s = root.semaphore("s", 1);
        assertThrows(IllegalArgumentException.class, () -> s.acquire(-1));
        assertThrows(IllegalArgumentException.class, () -> s.release(-2));
        IllegalStateException e = assertThrows(IllegalStateException.class, s::release);
        assertEquals("context global holds 0 permits of semaphore \"s\" and cannot release 1", e.getMessage());
        assertEquals(1, s.availablePermits(), "a refused release mints nothing");
    }

    @Test
    void readersOfEndedThreadsAreForgottenButTheirStatisticsAndLiveHoldsStay() throws Exception {
        NamedReadWriteLock rw = root.readWriteLock("table");
        CountDownLatch holderReading = new CountDownLatch(1);
        Thread diesHolding = new Thread(() -> {
            rw.readLock().lock(); // never unlocked: the hold outlives the thread, as in the JDK
            holderReading.countDown();
        }, "dies-holding");
        diesHolding.start();
        assertTrue(holderReading.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        diesHolding.join(WAIT.toMillis());
        int threads = 300;
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                rw.readLock().lock();
                rw.readLock().unlock();
            });
            t.start();
            t.join(WAIT.toMillis());
            assertFalse(t.isAlive());
        }
        assertTrue(rw.readerSlots() < 150, "slots of ended readers are dropped: " + rw.readerSlots());
        LockSnapshot snap = rw.snapshot();
        assertEquals(threads + 1, snap.acquisitions(), "dropped slots keep their statistics");
        assertEquals(List.of("dies-holding#" + LockRegistry.threadId(diesHolding)),
                snap.holders().stream().map(LockHolder::thread).toList());
        assertEquals(1, rw.getReadLockCount());
    }

    @Test
    void aThreadHoldingPermitsInTwoContextsReleasesEachContextsOwn() throws Exception {
        NamedSemaphore pool = root.semaphore("pool", 5);
        Context outer = root.child("outer").open();
        Context inner = outer.child("inner").open();
        try (Scope o = outer.makeCurrent()) {
            pool.acquire(2);
            try (Scope i = inner.makeCurrent()) {
                pool.acquire(1);
                assertEquals(1, pool.heldByCurrentContext());
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.release(2));
                assertEquals("context global.outer.inner holds 1 permit of semaphore \"pool\" and cannot release 2",
                        e.getMessage());
                assertEquals(List.of("global.outer.inner=1", "global.outer=2"), holders(pool));
                pool.release(1);
            }
            assertEquals(2, pool.heldByCurrentContext());
            assertEquals(List.of("global.outer=2"), holders(pool));
            pool.release(2);
        }
        assertEquals(5, pool.availablePermits());
        assertTrue(pool.snapshot().holders().isEmpty());
        assertEquals(2, pool.snapshot().acquisitions());
    }

    @Test
    void concurrentReleasesOfOneContextNeverReleaseMoreThanItHolds() throws Exception {
        for (int round = 0; round < 50; round++) {
            NamedSemaphore pool = root.semaphore("pool-" + round, 4);
            Context job = root.child("job-" + round).open();
            CountDownLatch acquired = new CountDownLatch(2);
            CountDownLatch go = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
            // two threads of one context hold 1 permit each, then each releases 2: only one release can succeed,
            // the other must be refused without minting a permit or leaving a hold behind
            Runnable worker = job.wrap(() -> {
                pool.acquireUninterruptibly(1);
                acquired.countDown();
                try {
                    go.await();
                    pool.release(2);
                } catch (IllegalStateException e) {
                    refused.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Thread a = new Thread(worker);
            Thread b = new Thread(worker);
            a.start();
            b.start();
            assertTrue(acquired.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            go.countDown();
            a.join(WAIT.toMillis());
            b.join(WAIT.toMillis());
            assertEquals(1, refused.get(), "round " + round);
            assertEquals(4, pool.availablePermits(), "round " + round);
            assertTrue(pool.snapshot().holders().isEmpty(), "round " + round);
            job.close();
        }
    }

    @Test
    void permitSlotsOfEndedThreadsAreForgotten() throws Exception {
        NamedSemaphore pool = root.semaphore("pool", 1);
        for (int i = 0; i < 300; i++) {
            Thread t = new Thread(() -> {
                pool.acquireUninterruptibly();
                pool.release();
            });
            t.start();
            t.join(WAIT.toMillis());
            assertFalse(t.isAlive());
        }
        assertTrue(pool.threadSlots() < 150, "slots of ended threads are dropped: " + pool.threadSlots());
        assertEquals(300, pool.snapshot().acquisitions());
        assertEquals(1, pool.availablePermits());
    }

    private static List<String> holders(NamedSemaphore pool) {
        return pool.snapshot().holders().stream().map(h -> h.contextPath() + "=" + h.count()).sorted().toList();
    }

    @Test
    void holdTimesAreCountedPerLockWhicheverThreadsHeld() throws Exception {
        FakeClock clock = new FakeClock();
        try (ContextTree timed = ContextTree.builder().clock(clock).build()) {
            NamedSemaphore pool = timed.root().semaphore("pool", 2);
            NamedReadWriteLock rw = timed.root().readWriteLock("table");
            pool.acquire();
            rw.readLock().lock();
            clock.advance(Duration.ofMillis(30));
            pool.release();
            rw.readLock().unlock();
            Thread other = new Thread(() -> {
                pool.acquireUninterruptibly();
                rw.readLock().lock();
                clock.advance(Duration.ofMillis(50));
                pool.release();
                rw.readLock().unlock();
            });
            other.start();
            other.join(WAIT.toMillis());
            for (LockSnapshot snap : List.of(pool.snapshot(), rw.snapshot())) {
                assertEquals(2, snap.acquisitions(), snap.name());
                assertEquals(Duration.ofMillis(80), snap.totalHold(), snap.name());
                assertEquals(Duration.ofMillis(50), snap.maxHold(), snap.name());
            }
        }
    }

    @Test
    void aRefusedReleaseAcrossThreadsChangesNothingAndTheRightOneTakesAll() throws Exception {
        NamedSemaphore pool = root.semaphore("pool", 5);
        Context job = root.child("job").open();
        Thread other = new Thread(job.wrap(() -> pool.acquireUninterruptibly(2)), "other");
        other.start();
        other.join(WAIT.toMillis());
        try (Scope s = job.makeCurrent()) {
            pool.acquire(1);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.release(4));
            assertEquals("context global.job holds 3 permits of semaphore \"pool\" and cannot release 4",
                    e.getMessage());
            assertEquals(2, pool.availablePermits(), "a refused release gives nothing back");
            assertEquals(List.of("global.job=1 main", "global.job=2 other"), pool.snapshot().holders().stream()
                    .map(h -> h.contextPath() + "=" + h.count() + " " + h.thread().replaceAll("#\\d+$", "")).sorted()
                    .toList());
            pool.release(3);
        }
        assertEquals(5, pool.availablePermits());
        assertTrue(pool.snapshot().holders().isEmpty());
        assertEquals(1, pool.threadSlots(), "only the living thread's slot stays once the ended one holds nothing");
    }

    @Test
    void permitsHeldByAContextAreNeverMiscountedWhileAReleaseAcrossThreadsIsRefused() throws Exception {
        NamedSemaphore pool = root.semaphore("pool", 5);
        Context job = root.child("job").open();
        Thread holder = new Thread(job.wrap(() -> pool.acquireUninterruptibly(2)), "holder");
        holder.start();
        holder.join(WAIT.toMillis());
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        // takes the holder's two permits, finds too few, gives them back: over and over
        Thread refused = new Thread(job.wrap(() -> {
            while (!done.get()) {
                assertThrows(IllegalStateException.class, () -> pool.release(3));
            }
        }), "refused");
        refused.start();
        try (Scope s = job.makeCurrent()) {
            for (int i = 0; i < 100_000; i++) {
                assertEquals(2, pool.heldByCurrentContext(), "a refused release is never seen half done");
            }
        } finally {
            done.set(true);
            refused.join(WAIT.toMillis());
        }
        assertEquals(3, pool.availablePermits());
    }

    @Test
    void aRefusedReleaseAcrossThreadsGivesBackEvenWhenTheOwnerReleasedMeanwhile() throws Exception {
        NamedSemaphore pool = root.semaphore("pool", 100);
        Context job = root.child("job").open();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        Thread holder = new Thread(job.wrap(() -> {
            pool.acquireUninterruptibly();
            holding.countDown();
            try {
                letGo.await();
            } catch (InterruptedException e) {
                return;
            }
            pool.release();
        }), "holder");
        holder.start();
        assertTrue(holding.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Throwable> ownerFailed = new java.util.concurrent.atomic.AtomicReference<>();
        // the owner grows its hold and shrinks it again: a release across threads may take the first permit in
        // between, and must still find the hold to give it back
        Thread owner = new Thread(job.wrap(() -> {
            try {
                while (!done.get()) {
                    pool.acquireUninterruptibly();
                    pool.acquireUninterruptibly();
                    pool.release();
                    pool.release();
                }
            } catch (Throwable t) {
                ownerFailed.set(t);
            }
        }), "owner");
        owner.start();
        try (Scope s = job.makeCurrent()) {
            for (int i = 0; i < 50_000; i++) {
                assertThrows(IllegalStateException.class, () -> pool.release(10), "refused, and nothing else");
            }
        } finally {
            done.set(true);
            owner.join(WAIT.toMillis());
            letGo.countDown();
            holder.join(WAIT.toMillis());
        }
        assertNull(ownerFailed.get());
        assertEquals(100, pool.availablePermits(), "every permit is back");
        assertTrue(pool.snapshot().holders().isEmpty());
    }

    @Test
    void oneReleaseTakesPermitsHeldByThousandsOfThreads() throws Exception {
        int threads = 2_000;
        NamedSemaphore pool = root.semaphore("pool", threads);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(pool::acquireUninterruptibly); // no current context: the root holds them
            t.start();
            t.join(WAIT.toMillis());
        }
        assertEquals(0, pool.availablePermits());
        assertEquals(threads, pool.snapshot().holders().size(), "every ended thread's permit is still held");
        pool.release(threads);
        assertEquals(threads, pool.availablePermits());
        assertTrue(pool.snapshot().holders().isEmpty());
    }
}
