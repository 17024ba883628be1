package dev.canopy.spi;

import dev.canopy.Context;
import dev.canopy.ContextState;
import dev.canopy.ContextTree;
import dev.canopy.LockMode;
import dev.canopy.NamedLock;
import dev.canopy.NamedReadWriteLock;
import dev.canopy.NamedSemaphore;
import dev.canopy.Registration;
import dev.canopy.Scope;
import dev.canopy.Task;
import dev.canopy.TestTrees;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The listener contract the surfaces (JFR, JMX, exports) rely on. */
class TreeListenerTest {

    /** Records every call as a line; a context's attachment is "span:<name>" so parent links can be checked. */
    static class Recorder implements TreeListener {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void attached(ContextTree tree) {
            calls.add("attached " + tree.root().name());
        }

        @Override
        public void detached(ContextTree tree) {
            calls.add("detached " + tree.root().name());
        }

        @Override
        public Object contextStarted(Context context, Object parentAttachment) {
            calls.add("start " + context.path() + " parent=" + parentAttachment);
            return "span:" + context.name();
        }

        @Override
        public void contextEnded(Context context, Object attachment, ContextState outcome, Throwable failure) {
            calls.add("end " + context.path() + " " + attachment + " " + outcome
                    + (failure == null ? "" : " " + failure.getMessage()));
        }

        @Override
        public void contextCancelled(Context context, dev.canopy.Cancellation c, int subtreeSize) {
            calls.add("cancel " + context.path() + " " + c.reason() + " " + subtreeSize);
        }

        @Override
        public Object scopeEntered(Context context) {
            calls.add("enter " + context.path());
            return "scope:" + context.name();
        }

        @Override
        public void scopeExited(Context context, Object attachment) {
            calls.add("exit " + context.path() + " " + attachment);
        }

        @Override
        public Object lockHoldStarted(LockView lock, Context holder, LockMode mode) {
            calls.add("hold " + lock.name() + " " + holder.path() + " " + mode);
            return "hold:" + lock.name();
        }

        @Override
        public void lockHoldEnded(LockView lock, Context holder, LockMode mode, Object attachment) {
            calls.add("release " + lock.name() + " " + attachment);
        }

        List<String> matching(String prefix) {
            return calls.stream().filter(c -> c.startsWith(prefix)).toList();
        }
    }

    @Test
    void contextsArriveWithTheirParentsAttachmentAndEndWithTheirOwn() {
        Recorder r = new Recorder();
        try (ContextTree tree = ContextTree.builder().rootName("lt").listener(r).build()) {
            Context svc = tree.root().child("svc").open();
            Context req = svc.child("req").open();
            req.fail(new IllegalStateException("boom"));
            svc.close();
            assertEquals(List.of("attached lt"), r.matching("attached"));
            assertEquals(List.of("start lt parent=null", "start lt.svc parent=span:lt",
                    "start lt.svc.req parent=span:svc"), r.matching("start"));
            assertEquals(List.of("end lt.svc.req span:req FAILED boom", "end lt.svc span:svc COMPLETED"),
                    r.matching("end"));
        }
        assertEquals("detached lt", r.calls.get(r.calls.size() - 1), "told last, after the root ended");
        assertTrue(r.calls.contains("end lt span:lt CANCELLED"));
    }

    /** A cancel ends a task that never ran the moment it reaches it: that end must come after the start. */
    @Test
    void aTaskSpawnedUnderACancelledParentIsHeardToStartThenEnd() {
        Recorder r = new Recorder();
        try (ContextTree tree = ContextTree.builder().rootName("lt").listener(r).build()) {
            Context svc = tree.root().child("svc").open();
            svc.cancel("gone");
            Task<String> t = svc.spawnChild("late", ctx -> "ran");
            assertTrue(t.isCancelled());
            assertTrue(t.context().isEnded());
            assertEquals(List.of("start lt.svc.late parent=span:svc", "end lt.svc.late span:late CANCELLED"),
                    startsAndEnds(r, "late"));
            svc.close();
        }
    }

    /**
     * The listeners hear of a child just before it joins its parent; a parent that ends in between refuses it, and
     * the listeners hear that child end (here the parent is closed by the listener itself, to end it exactly then).
     */
    @Test
    void aChildItsParentRefusesAfterItWasAnnouncedIsHeardToEnd() {
        Recorder r = new Recorder() {
            @Override
            public Object contextStarted(Context context, Object parentAttachment) {
                Object attachment = super.contextStarted(context, parentAttachment);
                if (context.name().startsWith("doomed")) {
                    context.parent().orElseThrow().close();
                }
                return attachment;
            }
        };
        try (ContextTree tree = ContextTree.builder().rootName("lt").listener(r).build()) {
            Context svc = tree.root().child("svc").open();
            IllegalStateException opened = assertThrows(IllegalStateException.class,
                    () -> svc.child("doomed-open").open());
            assertTrue(opened.getMessage().contains("cannot create child \"doomed-open\" of lt.svc"),
                    opened.getMessage());
            assertEquals(List.of("start lt.svc.doomed-open parent=span:svc",
                    "end lt.svc.doomed-open span:doomed-open CANCELLED"),
                    startsAndEnds(r, "doomed-open"));

            Context other = tree.root().child("other").open();
            assertThrows(IllegalStateException.class, () -> other.spawnChild("doomed-task", ctx -> "ran"));
            assertEquals(List.of("start lt.other.doomed-task parent=span:other",
                    "end lt.other.doomed-task span:doomed-task CANCELLED"),
                    startsAndEnds(r, "doomed-task"));
            assertEquals(0, tree.root().children().size(), "neither the refused children nor their parents stay");
        }
    }

    @Test
    void cancelsScopesTasksAndLocksAreAnnounced() throws Exception {
        Recorder r = new Recorder();
        try (ContextTree tree = ContextTree.builder().rootName("lt").listener(r).build()) {
            Context svc = tree.root().child("svc").open();
            try (Scope s = svc.makeCurrent()) {
                NamedLock lock = svc.mutex("m");
                lock.lock();
                lock.lock(); // reentrant: one hold
                lock.unlock();
                lock.unlock();
            }
            Task<String> t = svc.spawnChild("job", ctx -> "done");
            assertEquals("done", t.get(10, TimeUnit.SECONDS));
            // the body's scope closes after the task's result is set
            TestTrees.awaitTrue("the task's scope exited", () -> r.matching("exit").size() == 2);
            svc.cancel("enough");
            assertEquals(List.of("enter lt.svc", "enter lt.svc.job"), r.matching("enter"));
            assertEquals(List.of("exit lt.svc scope:svc", "exit lt.svc.job scope:job"), r.matching("exit"));
            assertEquals(List.of("hold m lt.svc EXCLUSIVE"), r.matching("hold"));
            assertEquals(List.of("release m hold:m"), r.matching("release"));
            assertEquals(List.of("cancel lt.svc enough 1"), r.matching("cancel"));
            svc.close();
        }
    }

    /** A listener that made something of a context (a span) finds it again when code runs with it current. */
    @Test
    void aScopeHandsTheListenerWhatItAttachedToTheContextWhicheverChainMadeIt() throws Exception {
        class SpanLike extends Recorder {
            @Override
            public Object scopeEntered(Context context, Object contextAttachment) {
                calls.add("enter " + context.path() + " " + contextAttachment);
                return "scope:" + context.name();
            }
        }
        SpanLike r = new SpanLike();
        Recorder other = new Recorder();
        try (ContextTree tree = ContextTree.builder().rootName("lt").listener(r).build()) {
            Context before = tree.root().child("before").open(); // made by a chain without the other listener
            Context svc;
            try (Registration second = tree.addListener(other)) {
                svc = tree.root().child("svc").open();
                try (Scope s = svc.makeCurrent(); Scope t = before.makeCurrent()) {
                    svc.spawnChild("job", ctx -> "done").get(10, TimeUnit.SECONDS);
                }
            }
            try (Scope s = svc.makeCurrent()) {
                svc.touch();
            }
            assertEquals(List.of("enter lt.svc span:svc", "enter lt.before span:before",
                    "enter lt.svc.job span:job", "enter lt.svc span:svc"), r.matching("enter"));
            assertEquals(List.of("enter lt.svc", "enter lt.before", "enter lt.svc.job"), other.matching("enter"),
                    "a listener overriding only the one-argument method still hears every scope");
            before.close();
            svc.close();
        }
    }

    @Test
    void aListenerAddedLaterHearsWhatFollowsAndLeavesWhenRemoved() {
        Recorder r = new Recorder();
        try (ContextTree tree = ContextTree.builder().rootName("lt").build()) {
            Context before = tree.root().child("before").open();
            Registration reg = tree.addListener(r);
            Context after = before.child("after").open();
            after.close();
            before.close(); // created before the listener joined: not announced, so no end either
            reg.close();
            Context ignored = tree.root().child("ignored").open();
            ignored.close();
            assertEquals(List.of("attached lt", "start lt.before.after parent=null",
                    "end lt.before.after span:after COMPLETED", "detached lt"), r.calls);
        }
    }

    @Test
    void aThrowingListenerNeverBreaksTheTree() {
        TreeListener hostile = new TreeListener() {
            @Override
            public Object contextStarted(Context context, Object parentAttachment) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void contextEnded(Context context, Object attachment, ContextState outcome, Throwable failure) {
                throw new IllegalStateException("listener bug");
            }
        };
        Recorder r = new Recorder();
        try (ContextTree tree = ContextTree.builder().rootName("lt").listener(hostile).listener(r).build()) {
            Context c = tree.root().child("c").open();
            c.close();
            assertEquals(ContextState.COMPLETED, c.state());
            assertTrue(c.isEnded());
            assertTrue(tree.root().children().isEmpty());
            assertTrue(r.calls.contains("end lt.c span:c COMPLETED"), "the other listener still hears: " + r.calls);
        }
    }

    @Test
    void semaphoreHoldsAreAnnouncedOnceAndEndedOnceWhicheverThreadReleases() throws Exception {
        Recorder r = new Recorder();
        try (ContextTree tree = ContextTree.builder().rootName("lt").listener(r).build()) {
            Context svc = tree.root().child("svc").open();
            NamedSemaphore pool = svc.semaphore("pool", 4);
            try (Scope s = svc.makeCurrent()) {
                pool.acquire(2);
                pool.acquire(); // grows the hold: no second announcement
                pool.release(3);
            }
            assertEquals(List.of("hold pool lt.svc PERMIT"), r.matching("hold"));
            assertEquals(List.of("release pool hold:pool"), r.matching("release"));
            assertEquals(4, pool.availablePermits());
        }
    }

    @Test
    void aSemaphoreHoldReleasedAcrossThreadsWhileBeingAnnouncedIsStillEnded() throws Exception {
        CountDownLatch announcing = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        Recorder r = new Recorder() {
            @Override
            public Object lockHoldStarted(LockView lock, Context holder, LockMode mode) {
                Object attachment = super.lockHoldStarted(lock, holder, mode);
                announcing.countDown();
                try {
                    // hold the announcement open until another thread of the context has released the permit
                    assertTrue(released.await(10, TimeUnit.SECONDS), "the release happened");
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                return attachment;
            }
        };
        try (ContextTree tree = ContextTree.builder().rootName("lt").listener(r).build()) {
            Context svc = tree.root().child("svc").open();
            NamedSemaphore pool = svc.semaphore("pool", 1);
            CompletableFuture<Void> acquirer = CompletableFuture.runAsync(() -> {
                try (Scope s = svc.makeCurrent()) {
                    pool.acquireUninterruptibly();
                }
            });
            assertTrue(announcing.await(10, TimeUnit.SECONDS), "the acquisition is being announced");
            try (Scope s = svc.makeCurrent()) {
                pool.release(); // another thread of the same context: taken from the acquirer's slot
            }
            released.countDown();
            acquirer.get(10, TimeUnit.SECONDS);
            assertEquals(List.of("hold pool lt.svc PERMIT"), r.matching("hold"));
            assertEquals(List.of("release pool hold:pool"), r.matching("release"),
                    "the announcement that lost the race with the release is ended, with its attachment");
            assertEquals(1, pool.availablePermits());
            assertTrue(pool.snapshot().holders().isEmpty());
        }
    }

    @Test
    void holdsNobodyWantsNowAreNeitherAnnouncedNorEnded() {
        java.util.concurrent.atomic.AtomicBoolean wanted = new java.util.concurrent.atomic.AtomicBoolean();
        Recorder r = new Recorder() {
            @Override
            public boolean wantsLockHolds() {
                return wanted.get();
            }
        };
        try (ContextTree tree = ContextTree.builder().rootName("lt").listener(r).build()) {
            Context svc = tree.root().child("svc").open();
            NamedLock mutex = svc.mutex("m");
            NamedReadWriteLock rw = svc.readWriteLock("rw");
            NamedSemaphore pool = svc.semaphore("pool", 2);
            try (Scope s = svc.makeCurrent()) {
                mutex.lock();
                rw.writeLock().lock();
                pool.acquireUninterruptibly();
                wanted.set(true); // holds that started unheard end unheard
                mutex.unlock();
                rw.writeLock().unlock();
                pool.release();
                assertEquals(List.of(), r.matching("hold"));
                assertEquals(List.of(), r.matching("release"));

                holdEachOnce(mutex, rw, pool);
            }
            assertEquals(List.of("hold m lt.svc EXCLUSIVE", "hold rw lt.svc READ", "hold pool lt.svc PERMIT"),
                    r.matching("hold"));
            assertEquals(List.of("release m hold:m", "release rw hold:rw", "release pool hold:pool"),
                    r.matching("release"));
        }
    }

    @Test
    void aListenerThatHearsNoHoldsDoesNotMakeThemAnnounced() {
        // as on Canopy's default tree, where the JMX exporter (contexts and deadlocks only) sits beside the JFR
        // listener: its default answer to wantsLockHolds() must not make every hold announced
        Recorder holdsNever = new Recorder() {
            @Override
            public boolean wantsLockHolds() {
                return false;
            }
        };
        TreeListener contextsOnly = new TreeListener() {
            @Override
            public Object contextStarted(Context context, Object parentAttachment) {
                return null;
            }
        };
        try (ContextTree tree = ContextTree.builder().rootName("lt").listener(contextsOnly).listener(holdsNever)
                .build()) {
            Context svc = tree.root().child("svc").open();
            NamedLock mutex = svc.mutex("m");
            NamedReadWriteLock rw = svc.readWriteLock("rw");
            NamedSemaphore pool = svc.semaphore("pool", 2);
            try (Scope s = svc.makeCurrent()) {
                holdEachOnce(mutex, rw, pool);
            }
            assertEquals(List.of(), holdsNever.matching("hold"));
            assertEquals(List.of(), holdsNever.matching("release"));
        }
    }

    /** A mutex hold, a read hold and a permit, each taken and given back. */
    /** The starts and ends heard of the contexts whose path contains {@code name}, in order. */
    private static List<String> startsAndEnds(Recorder r, String name) {
        return r.calls.stream().filter(c -> (c.startsWith("start ") || c.startsWith("end ")) && c.contains(name))
                .toList();
    }

    private static void holdEachOnce(NamedLock mutex, NamedReadWriteLock rw, NamedSemaphore pool) {
        mutex.lock();
        mutex.unlock();
        rw.readLock().lock();
        rw.readLock().unlock();
        pool.acquireUninterruptibly();
        pool.release();
    }
}
