package dev.canopy;

import dev.canopy.status.TreeStatistics;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ContextIdentityTest {
    private final FakeClock clock = new FakeClock();
    private final ContextTree tree = ContextTree.builder().clock(clock).build();

    @AfterEach
    void closeTree() {
        tree.close();
    }

    @Test
    void namesPathsAndParents() {
        Context global = tree.root();
        Context svc = global.child("remote-access").open();
        Context session = svc.child("alice@bv478gen").open();

        assertEquals("global", global.name());
        assertEquals("global", global.path());
        assertEquals("global.remote-access.alice@bv478gen", session.path());
        assertEquals("alice@bv478gen", session.name());
        assertSame(svc, session.parent().orElseThrow());
        assertTrue(global.parent().isEmpty());
        assertSame(tree, session.tree());
        assertEquals(List.of(svc), global.children());
        assertEquals(List.of(session), svc.children());
    }

    @Test
    void idsAreUniqueAndFollowCreationOrder() {
        Set<Long> ids = new HashSet<>();
        long last = tree.root().id();
        for (int i = 0; i < 100; i++) {
            Context c = TestTrees.keep(tree.root().child("c" + i).open());
            assertTrue(c.id() > last, "ids increase");
            last = c.id();
            assertTrue(ids.add(c.id()));
        }
        List<Context> children = tree.root().children();
        assertEquals(100, children.size());
        for (int i = 0; i < 100; i++) {
            assertEquals("c" + i, children.get(i).name(), "children() lists oldest first");
        }
    }

    @Test
    void timingFollowsTheClock() {
        Context c = tree.root().child("worker").open();
        assertEquals(FakeClock.START, tree.root().createdAt());
        assertEquals(Duration.ZERO, c.duration());

        clock.advance(Duration.ofSeconds(5));
        assertEquals(Duration.ofSeconds(5), c.duration());
        assertEquals(Duration.ofSeconds(5), c.idleDuration());
        assertEquals(FakeClock.START, c.createdAt());

        c.touch();
        clock.advance(Duration.ofMillis(300));
        assertEquals(Duration.ofMillis(300), c.idleDuration());

        c.close();
        clock.advance(Duration.ofSeconds(10));
        assertEquals(Duration.ofMillis(5300), c.duration(), "duration stops at the end");
    }

    @Test
    void dataAndMetricUpdatesCountAsActivity() {
        Context c = tree.root().child("worker").open();
        clock.advance(Duration.ofSeconds(3));
        c.setData("k", 1);
        assertEquals(Duration.ZERO, c.idleDuration());
        clock.advance(Duration.ofSeconds(3));
        c.addMetric("m", MetricValue.counter(1));
        assertEquals(Duration.ZERO, c.idleDuration());
    }

    @Test
    void statesThroughALife() {
        Context done = tree.root().child("done").open();
        assertEquals(ContextState.ACTIVE, done.state());
        done.close();
        assertEquals(ContextState.COMPLETED, done.state());
        assertTrue(done.isEnded());

        Context failed = tree.root().child("failed").open();
        IllegalStateException boom = new IllegalStateException("boom");
        failed.fail(boom);
        assertEquals(ContextState.FAILED, failed.state());
        assertSame(boom, failed.failure().orElseThrow());

        Context cancelled = tree.root().child("cancelled").open();
        cancelled.cancel("stop");
        assertEquals(ContextState.CANCELLED, cancelled.state());
        assertFalse(cancelled.isEnded(), "cancelled but not closed yet");
        cancelled.close();
        assertEquals(ContextState.CANCELLED, cancelled.state(), "closing a cancelled context keeps CANCELLED");
        assertTrue(cancelled.isEnded());
    }

    @Test
    void closedChildrenLeaveTheLiveTree() {
        Context parent = tree.root().child("parent").open();
        Context a = parent.child("a").open();
        Context b = parent.child("b").open();
        a.close();
        assertEquals(List.of(b), parent.children());
        b.close();
        assertEquals(List.of(), parent.children());
    }

    @Test
    void statisticsCountEveryEnding() {
        Context a = tree.root().child("a").open();
        Context b = tree.root().child("b").open();
        Context c = tree.root().child("c").open();
        a.close();
        b.fail(new RuntimeException("x"));
        c.cancel();
        c.close();
        TreeStatistics s = tree.statistics();
        assertEquals(4, s.created(), "root + 3");
        assertEquals(1, s.completed());
        assertEquals(1, s.failed());
        assertEquals(1, s.cancelled());
        assertEquals(1, s.live(), "only the root");
    }

    @Test
    void separateTreesShareNothing() {
        try (ContextTree other = ContextTree.builder().rootName("isolated").build()) {
            Context x = other.root().child("x").open();
            assertEquals("isolated.x", x.path());
            assertTrue(tree.root().children().isEmpty());
            assertFalse(Canopy.global().children().contains(x));
            assertNotSame(Canopy.global(), other.root());
        }
    }
}
