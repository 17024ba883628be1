package dev.canopy;

import dev.canopy.status.TreeStatistics;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The tree's statistics are exact whichever way a context was counted: through the shared adders (a thread's first
 * contexts) or a busy thread's own cell, also after that thread ended and its cell was folded away.
 */
class TreeCountsTest {

    private static void openAndClose(Context parent, int n, boolean fail) {
        for (int i = 0; i < n; i++) {
            Context c = parent.child("request").open();
            if (fail && i % 2 == 0) {
                c.fail(new IllegalStateException("boom"));
            } else {
                c.close();
            }
        }
    }

    @Test
    void countsOfThreadsThatEndedStayAndTheirCellsGo() throws Exception {
        try (ContextTree tree = ContextTree.builder().rootName("counts").build()) {
            Context parent = tree.root().child("service").open();
            int threads = 40;
            int each = 3 * TreeCounts.USES_BEFORE_CELL; // enough for a cell of its own
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> openAndClose(parent, each, true));
                th.start();
                th.join(TimeUnit.SECONDS.toMillis(10));
                assertFalse(th.isAlive());
            }
            TreeStatistics s = tree.statistics();
            assertEquals(2 + (long) threads * each, s.created());
            assertEquals((long) threads * each / 2, s.failed());
            assertEquals((long) threads * each / 2, s.completed());
            assertEquals(2, s.live());
            // every thread got a cell and ended: reading the counts folded them all away
            assertEquals(0, tree.contextCounts().cellCount());
        }
    }

    @Test
    void countsNeverGoBackwardsWhileThreadsEndAndTheirCellsAreFolded() throws Exception {
        try (ContextTree tree = ContextTree.builder().rootName("monotonic").build()) {
            Context parent = tree.root().child("service").open();
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch readerRunning = new CountDownLatch(1);
            Thread reader = new Thread(() -> {
                long lastCreated = 0;
                long lastCompleted = 0;
                readerRunning.countDown();
                while (!done.get()) {
                    TreeStatistics s = tree.statistics();
                    if (s.created() < lastCreated || s.completed() < lastCompleted) {
                        failure.compareAndSet(null, new AssertionError("went backwards: created " + lastCreated
                                + " -> " + s.created() + ", completed " + lastCompleted + " -> " + s.completed()));
                    }
                    lastCreated = s.created();
                    lastCompleted = s.completed();
                }
            });
            reader.start();
            assertTrue(readerRunning.await(10, TimeUnit.SECONDS));
            int rounds = 30;
            int perRound = 4;
            int each = 2 * TreeCounts.USES_BEFORE_CELL;
            for (int r = 0; r < rounds; r++) {
                List<Thread> batch = new ArrayList<>();
                for (int t = 0; t < perRound; t++) {
                    Thread th = new Thread(() -> openAndClose(parent, each, false));
                    batch.add(th);
                    th.start();
                }
                for (Thread th : batch) {
                    th.join(TimeUnit.SECONDS.toMillis(10));
                    assertFalse(th.isAlive());
                }
            }
            done.set(true);
            reader.join(TimeUnit.SECONDS.toMillis(10));
            assertNull(failure.get());
            TreeStatistics s = tree.statistics();
            assertEquals(2 + (long) rounds * perRound * each, s.created());
            assertEquals((long) rounds * perRound * each, s.completed());
        }
    }

    @Test
    void aThreadCountsIntoItsOwnCellOnlyInOneTree() throws Exception {
        try (ContextTree first = ContextTree.builder().rootName("first").build();
             ContextTree second = ContextTree.builder().rootName("second").build()) {
            Context a = first.root().child("a").open();
            Context b = second.root().child("b").open();
            Thread th = new Thread(() -> {
                openAndClose(a, 2 * TreeCounts.USES_BEFORE_CELL, false);
                openAndClose(b, 2 * TreeCounts.USES_BEFORE_CELL, false);
                openAndClose(a, 10, false);
            });
            th.start();
            th.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(th.isAlive());
            assertEquals(2 + 2 * TreeCounts.USES_BEFORE_CELL + 10, first.statistics().created());
            assertEquals(2 + 2 * TreeCounts.USES_BEFORE_CELL, second.statistics().created());
            assertEquals(2 * TreeCounts.USES_BEFORE_CELL + 10, first.statistics().completed());
        }
    }
}
