package dev.canopy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BadInputTest {
    private final ContextTree tree = ContextTree.create();
    private final Context root = tree.root();

    @AfterEach
    void closeTree() {
        tree.close();
    }

    @Test
    void namesAreCheckedWithTheBadValueInTheMessage() {
        assertEquals("context name must not be null",
                assertThrows(NullPointerException.class, () -> root.child(null)).getMessage());
        assertEquals("context name must not be blank: \"  \"",
                assertThrows(IllegalArgumentException.class, () -> root.child("  ")).getMessage());
        assertEquals("context name \"bell\\u0007\" contains control character U+0007 at index 4",
                assertThrows(IllegalArgumentException.class, () -> root.child("bell\u0007")).getMessage());
        assertEquals("context name \"\\u001B[31mred\" contains control character U+001B at index 0",
                assertThrows(IllegalArgumentException.class, () -> root.child("\u001b[31mred")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> root.child("api.example.com"))
                .getMessage().startsWith("context name \"api.example.com\" contains '.' at index 3"));
        String longName = "x".repeat(10_000);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> root.child(longName))
                .getMessage().startsWith("context name is 10000 characters long, the limit is 200"));
        assertThrows(IllegalArgumentException.class, () -> root.spawnChild("", c -> 1));
        assertEquals(List.of(), root.children(), "nothing was created");
    }

    @Test
    void dataAndMetricKeysAreChecked() {
        Context c = root.child("c").open();
        assertThrows(NullPointerException.class, () -> c.setData(null, 1));
        assertThrows(IllegalArgumentException.class, () -> c.setData("", 1));
        assertThrows(IllegalArgumentException.class, () -> c.addMetric("a\nb", MetricValue.counter(1)));
        c.setData("dots.are.fine", 1);
        assertTrue(c.getDataJson("dots.are.fine").isPresent());
    }

    @Test
    void nullArgumentsAreNamed() {
        Context c = root.child("c").open();
        assertEquals("reason", assertThrows(NullPointerException.class, () -> c.cancel(null)).getMessage());
        assertEquals("runnable", assertThrows(NullPointerException.class, () -> c.spawn((Runnable) null)).getMessage());
        assertEquals("body", assertThrows(NullPointerException.class, () -> c.child("x").spawn(null)).getMessage());
        assertEquals("callback", assertThrows(NullPointerException.class, () -> c.onCancel(null)).getMessage());
        assertEquals("timeout", assertThrows(NullPointerException.class, () -> c.child("x").withTimeout(null)).getMessage());
        assertFalse(c.isCancelled());
    }

    @Test
    void closingTwiceOrAfterFailIsANoOp() {
        Context c = root.child("c").open();
        c.close();
        c.close();
        assertEquals(ContextState.COMPLETED, c.state());
        Context f = root.child("f").open();
        f.fail(new RuntimeException("x"));
        f.close();
        assertEquals(ContextState.FAILED, f.state());
        assertEquals(2, tree.statistics().completed() + tree.statistics().failed());
    }

    @Test
    void theRootAndTaskContextsCannotBeClosedByHand() {
        assertTrue(assertThrows(UnsupportedOperationException.class, root::close)
                .getMessage().contains("ContextTree.close()"));
        Task<Context> t = root.spawnChild("task", ctx -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, ctx::close);
            assertTrue(e.getMessage().contains("use cancel()"), e.getMessage());
            return ctx;
        });
        assertEquals(ContextState.COMPLETED, t.join().state());
    }

    @Test
    void badConfigurationIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ContextTree.builder().recentCompletions(-1));
        assertThrows(NullPointerException.class, () -> ContextTree.builder().clock(null));
        assertThrows(IllegalArgumentException.class, () -> ContextTree.builder().rootName("a.b"));
    }
}
