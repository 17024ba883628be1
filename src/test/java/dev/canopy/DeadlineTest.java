package dev.canopy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static dev.canopy.TestTrees.WAIT;
import static org.junit.jupiter.api.Assertions.*;

class DeadlineTest {
    private final ContextTree tree = ContextTree.create();
    private final Context root = tree.root();

    @AfterEach
    void closeTree() {
        tree.close();
    }

    @Test
    void timeoutCancelsWithAReasonThatSaysSo() throws Exception {
        long start = System.nanoTime();
        Context c = root.child("slow").withTimeout(Duration.ofMillis(50)).open();
        assertTrue(c.deadline().isPresent());
        assertTrue(c.awaitCancellation(WAIT), "the deadline fired");
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMillis >= 50, "not before the deadline: " + elapsedMillis);
        assertTrue(c.cancellation().orElseThrow().reason().startsWith("deadline exceeded"),
                c.cancellation().orElseThrow().reason());
        assertEquals("global.slow", c.cancellation().orElseThrow().initiatorPath());
        assertEquals(Duration.ZERO, c.timeLeft().orElseThrow());
    }

    @Test
    void aTaskPastItsDeadlineIsInterrupted() {
        Task<Void> t = root.child("stuck").withTimeout(Duration.ofMillis(30)).spawn(ctx -> {
            new java.util.concurrent.CountDownLatch(1).await();
            return null;
        });
        assertThrows(java.util.concurrent.CancellationException.class, t::join);
        assertEquals(ContextState.CANCELLED, t.context().state());
    }

    @Test
    void aChildDeadlineIsNeverLaterThanItsParents() {
        Context parent = root.child("parent").withTimeout(Duration.ofMinutes(1)).open();
        Context child = parent.child("child").withTimeout(Duration.ofHours(1)).open();
        assertEquals(parent.deadline(), child.deadline());
        Context inherits = parent.child("inherits").open();
        assertEquals(parent.deadline(), inherits.deadline());
        Context tighter = parent.child("tighter").withTimeout(Duration.ofSeconds(10)).open();
        assertTrue(tighter.deadline().orElseThrow().isBefore(parent.deadline().orElseThrow()));
        assertTrue(root.child("free").open().deadline().isEmpty());
    }

    @Test
    void deadlineAsAnInstant() {
        Instant at = Instant.now().plusSeconds(60);
        Context c = root.child("at").withDeadline(at).open();
        Duration off = Duration.between(at, c.deadline().orElseThrow()).abs();
        assertTrue(off.toMillis() < 5, "deadline kept to the millisecond: off by " + off);
        assertTrue(c.timeLeft().orElseThrow().compareTo(Duration.ofSeconds(50)) > 0);
    }

    @Test
    void zeroTimeoutOrPastDeadlineStartsCancelled() {
        Context zero = root.child("zero").withTimeout(Duration.ZERO).open();
        assertTrue(zero.isCancelled());
        Context past = root.child("past").withDeadline(Instant.now().minusSeconds(1)).open();
        assertTrue(past.isCancelled());
        assertTrue(past.cancellation().orElseThrow().reason().startsWith("deadline exceeded"));
    }

    @Test
    void negativeTimeoutIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> root.child("x").withTimeout(Duration.ofSeconds(-1)));
        assertEquals("timeout must not be negative: PT-1S", e.getMessage());
    }

    @Test
    void aContextThatEndsBeforeItsDeadlineStaysCompleted() throws Exception {
        Context c = root.child("quick").withTimeout(Duration.ofMillis(30)).open();
        c.close();
        // a second context with the same deadline shows when the first one's timer would have fired
        Context witness = root.child("witness").withTimeout(Duration.ofMillis(60)).open();
        assertTrue(witness.awaitCancellation(WAIT));
        assertEquals(ContextState.COMPLETED, c.state());
        assertFalse(c.isCancelled());
    }
}
