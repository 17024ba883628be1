package dev.canopy;

import dev.canopy.junit.CanopyExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Runs small test classes that use the extension through the JUnit launcher and checks their outcomes. */
class CanopyExtensionTest {

    private static TestExecutionSummary run(Class<?> testClass) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(testClass)).build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        return listener.getSummary();
    }

    private static String failureOf(TestExecutionSummary s, String method) {
        return s.getFailures().stream().filter(f -> f.getTestIdentifier().getDisplayName().startsWith(method))
                .map(f -> f.getException().getMessage()).findFirst().orElse(null);
    }

    @ExtendWith(CanopyExtension.class)
    static class Sample {
        @Test
        void clean(ContextTree tree, Context root) {
            try (Context c = root.child("work").open()) {
                c.spawnChild("task", ctx -> 1).join();
            }
            assertSame(tree.root(), Canopy.current(), "the test's root is current");
        }

        @Test
        void leavesAContextOpen(Context root) {
            TestTrees.keep(root.child("forgotten").open());
        }

        @Test
        void leavesALockHeld(Context root) {
            root.mutex("never-unlocked").lock();
        }

        @Test
        void leavesAScopeOpen(Context root) {
            try (Context request = root.child("request").open()) {
                request.makeCurrent(); // never closed: the thread goes on with request current
            }
        }

        @Test
        void spawnsIntoTheCurrentContext() {
            Canopy.current().spawnChild("async", ctx -> 1); // finishes within the grace period
        }

        @Test
        void deadlocks(Context root) throws Exception {
            NamedLock a = root.mutex("a");
            NamedLock b = root.mutex("b");
            java.util.concurrent.CyclicBarrier both = new java.util.concurrent.CyclicBarrier(2);
            root.spawnChild("t1", c -> {
                try (Held x = a.acquire()) {
                    both.await();
                    try (Held y = b.acquire()) {
                        return null;
                    }
                }
            });
            root.spawnChild("t2", c -> {
                try (Held x = b.acquire()) {
                    both.await();
                    try (Held y = a.acquire()) {
                        return null;
                    }
                }
            });
            TestTrees.awaitTrue("deadlocked", () -> root.tree().deadlocks().stream().anyMatch(d -> d.source().equals("CANOPY")));
        }
    }

    /** Tests that fail for their own reasons, one leaving a lock held. */
    @ExtendWith(CanopyExtension.class)
    static class FailsOnItsOwn {
        @Test
        void failsWhileHoldingALock(Context root) {
            root.mutex("ledger").lock();
            fail("the test's own failure");
        }

        @Test
        void failsWithATreeLeftClean() {
            fail("only the test's own failure");
        }
    }

    static class Lenient {
        @RegisterExtension
        static CanopyExtension canopy = CanopyExtension.builder().allowLiveContexts().grace(Duration.ZERO).build();

        @Test
        void mayLeaveContextsOpen(Context root) {
            root.child("left-open").open();
        }
    }

    /** Three ways to leave a tree unclean that the checks once missed or named wrongly. */
    @ExtendWith(CanopyExtension.class)
    static class Subtle {
        @Test
        void leaksAContextTheCollectorTakes(Context root) throws Exception {
            java.lang.ref.WeakReference<Context> leaked = new java.lang.ref.WeakReference<>(root.child("request").open());
            TestTrees.awaitTrue("the leaked context is collected", () -> {
                System.gc();
                return leaked.get() == null;
            });
        }

        @Test
        void closesAContextWhoseChildIgnoresCancellation(Context root) throws Exception {
            Context svc = root.child("svc").open();
            java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
            svc.spawnChild("stubborn", ctx -> {
                running.countDown();
                while (STUBBORN_RELEASED.getCount() > 0) { // ignores the cancel, and the interrupt it sends
                    try {
                        STUBBORN_RELEASED.await();
                    } catch (InterruptedException ignored) {
                        // a task that swallows interrupts: what the check must name
                    }
                }
                return null;
            });
            running.await();
            svc.cancel("test over");
            svc.close();
        }
    }

    @ExtendWith(CanopyExtension.class)
    static class OwnTask {
        @Test
        void closesAContextWhoseOwnTaskGoesOn(Context root) throws Exception {
            Context worker = root.child("worker").open();
            java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
            worker.spawn(() -> {
                running.countDown();
                while (STUBBORN_RELEASED.getCount() > 0) {
                    try {
                        STUBBORN_RELEASED.await();
                    } catch (InterruptedException ignored) {
                        // goes on whatever happens to its context
                    }
                }
            });
            running.await();
            worker.close();
        }
    }

    static final java.util.concurrent.CountDownLatch STUBBORN_RELEASED = new java.util.concurrent.CountDownLatch(1);

    static class LenientWithGrace {
        @RegisterExtension
        static CanopyExtension canopy = CanopyExtension.builder().allowLiveContexts().grace(Duration.ofSeconds(30))
                .build();

        @Test
        void aTaskReleasesItsLockAfterTheTestReturns(Context root) throws Exception {
            NamedLock cache = root.mutex("cache-lock");
            java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicBoolean returned = new java.util.concurrent.atomic.AtomicBoolean();
            Thread testThread = Thread.currentThread();
            root.spawnChild("refresher", ctx -> {
                try (Held h = cache.acquire()) {
                    holding.countDown();
                    // still holding once the test method has returned and the extension's check waits (its only
                    // timed wait on the test thread): released only then, so the check must wait to pass
                    TestTrees.awaitTrue("the check waits for the lock", () -> returned.get()
                            && testThread.getState() == Thread.State.TIMED_WAITING);
                }
                return null;
            });
            holding.await();
            returned.set(true);
        }
    }

    /** Methods JUnit runs on a thread of their own, for a timeout. */
    @ExtendWith(CanopyExtension.class)
    static class OnATimeoutThread {
        static final List<String> SEEN = new java.util.concurrent.CopyOnWriteArrayList<>();

        @BeforeEach
        @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
        void prepare() {
            SEEN.add("before " + Thread.currentThread().getName() + " " + Canopy.current().path());
        }

        @Test
        @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
        void spawnsIntoTheTestsTree(ContextTree tree) {
            SEEN.add("test " + Thread.currentThread().getName() + " " + Canopy.current().path());
            assertSame(tree.root(), Canopy.current());
            assertEquals(1, Canopy.current().spawnChild("async", ctx -> 1).join());
        }

        @Test
        @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
        void leavesAScopeOpen(Context root) {
            try (Context request = root.child("request").open()) {
                request.makeCurrent(); // never closed
            }
        }
    }

    @Test
    void methodsOnATimeoutThreadRunInTheTestsTree() {
        OnATimeoutThread.SEEN.clear();
        TestExecutionSummary s = run(OnATimeoutThread.class);
        assertEquals(1, s.getTestsSucceededCount(), s.getFailures().toString());
        assertEquals(3, OnATimeoutThread.SEEN.size(), OnATimeoutThread.SEEN.toString());
        for (String seen : OnATimeoutThread.SEEN) {
            assertTrue(seen.matches("(before|test) junit-timeout-thread-\\d+ test"), "on JUnit's own thread, the "
                    + "test's root current: " + seen);
        }
        String scope = failureOf(s, "leavesAScopeOpen");
        assertNotNull(scope, s.getFailures().toString());
        assertTrue(scope.startsWith("Canopy: the test left its tree unclean:\n  - a scope was left open: test.request "
                + "was still current when the test's method ended on thread \"junit-timeout-thread-"), scope);
        assertFalse(scope.contains("still current on the test thread"), "the test thread itself was left clean: "
                + scope);
    }

    @Test
    void collectedLeaksFailTheTestAndALingeringTaskIsNamed() {
        TestExecutionSummary s;
        TestExecutionSummary own;
        try {
            s = run(Subtle.class);
            own = run(OwnTask.class);
        } finally {
            STUBBORN_RELEASED.countDown();
        }
        String worker = failureOf(own, "closesAContextWhoseOwnTaskGoesOn");
        assertNotNull(worker, own.getFailures().toString());
        assertTrue(worker.startsWith("Canopy: the test left its tree unclean:\n  - context test.worker has "), worker);
        assertTrue(worker.contains(" but a task of its own still runs ("), worker);
        assertEquals(0, s.getTestsSucceededCount(), s.getFailures().toString());
        String leak = failureOf(s, "leaksAContextTheCollectorTakes");
        assertNotNull(leak);
        assertTrue(leak.contains("- context test.request (#"), leak);
        assertTrue(leak.contains(") was never closed: garbage-collected "), leak);
        String stubborn = failureOf(s, "closesAContextWhoseChildIgnoresCancellation");
        assertNotNull(stubborn);
        assertTrue(stubborn.startsWith("Canopy: the test left its tree unclean:\n  - context test.svc.stubborn was "
                + "cancelled (test over) and has not ended: its task goes on, or it was never closed ("), stubborn);
        assertFalse(stubborn.contains("context test.svc is"), stubborn);
    }

    @Test
    void theGraceAppliesToLocksWhenContextsMayStayOpen() {
        TestExecutionSummary s = run(LenientWithGrace.class);
        assertEquals(1, s.getTestsSucceededCount(), s.getFailures().toString());
    }

    @Test
    void failsTestsThatLeaveTheirTreeUnclean() {
        TestExecutionSummary s = run(Sample.class);
        assertEquals(6, s.getTestsStartedCount());
        assertEquals(2, s.getTestsSucceededCount(), s.getFailures().toString());
        String scope = failureOf(s, "leavesAScopeOpen");
        assertTrue(scope.startsWith("Canopy: the test left its tree unclean:\n  - a scope was left open: test.request "
                + "is still current on the test thread"), scope);
        String open = failureOf(s, "leavesAContextOpen");
        assertTrue(open.startsWith("Canopy: the test left its tree unclean:\n  - context test.forgotten is still active"), open);
        assertTrue(open.contains("└── forgotten ("), "prints the status tree: " + open);
        assertTrue(failureOf(s, "leavesALockHeld").contains("lock \"never-unlocked\" is still held by test"));
        String deadlock = failureOf(s, "deadlocks");
        assertTrue(deadlock.contains("deadlock: test.t"), deadlock);
        assertNull(failureOf(s, "spawnsIntoTheCurrentContext"));
    }

    @Test
    void whatATestThatFailedLeftBehindIsAddedToItsFailure() {
        TestExecutionSummary s = run(FailsOnItsOwn.class);
        assertEquals(2, s.getTestsFailedCount());
        Throwable own = s.getFailures().stream()
                .filter(f -> f.getTestIdentifier().getDisplayName().startsWith("failsWhileHoldingALock"))
                .findFirst().orElseThrow().getException();
        assertEquals("the test's own failure", own.getMessage(), "the test's failure comes first");
        assertEquals(1, own.getSuppressed().length, List.of(own.getSuppressed()).toString());
        String canopy = own.getSuppressed()[0].getMessage();
        assertTrue(canopy.startsWith("Canopy: besides the test's own failure, its tree was left unclean:\n  - lock "
                + "\"ledger\" is still held by test"), canopy);
        Throwable clean = s.getFailures().stream()
                .filter(f -> f.getTestIdentifier().getDisplayName().startsWith("failsWithATreeLeftClean"))
                .findFirst().orElseThrow().getException();
        assertEquals(0, clean.getSuppressed().length, "nothing added when the tree is clean");
    }

    @Test
    void canBeConfiguredToAllowOpenContexts() {
        TestExecutionSummary s = run(Lenient.class);
        assertEquals(1, s.getTestsSucceededCount(), s.getFailures().toString());
        assertTrue(List.of(s.getFailures()).get(0).isEmpty());
    }
}
