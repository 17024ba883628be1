package dev.canopy;

import dev.canopy.junit.CanopyExtension;
import org.junit.jupiter.api.Test;
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

    static class Lenient {
        @RegisterExtension
        static CanopyExtension canopy = CanopyExtension.builder().allowLiveContexts().grace(Duration.ZERO).build();

        @Test
        void mayLeaveContextsOpen(Context root) {
            root.child("left-open").open();
        }
    }

    @Test
    void failsTestsThatLeaveTheirTreeUnclean() {
        TestExecutionSummary s = run(Sample.class);
        assertEquals(5, s.getTestsStartedCount());
        assertEquals(2, s.getTestsSucceededCount(), s.getFailures().toString());
        String open = failureOf(s, "leavesAContextOpen");
        assertTrue(open.startsWith("Canopy: the test left its tree unclean:\n  - context test.forgotten is still active"), open);
        assertTrue(open.contains("└── forgotten ("), "prints the status tree: " + open);
        assertTrue(failureOf(s, "leavesALockHeld").contains("lock \"never-unlocked\" is still held by test"));
        String deadlock = failureOf(s, "deadlocks");
        assertTrue(deadlock.contains("deadlock: test.t"), deadlock);
        assertNull(failureOf(s, "spawnsIntoTheCurrentContext"));
    }

    @Test
    void canBeConfiguredToAllowOpenContexts() {
        TestExecutionSummary s = run(Lenient.class);
        assertEquals(1, s.getTestsSucceededCount(), s.getFailures().toString());
        assertTrue(List.of(s.getFailures()).get(0).isEmpty());
    }
}
