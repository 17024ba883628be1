package dev.canopy;

import dev.canopy.status.WarningKind;

import dev.canopy.status.Severity;
import dev.canopy.status.Warning;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.canopy.TestTrees.awaitTrue;
import static org.junit.jupiter.api.Assertions.*;

class WarningsTest {
    private final FakeClock clock = new FakeClock();
    private final ContextTree tree = ContextTree.builder().clock(clock)
            .warningThresholds(new WarningThresholds(Duration.ofSeconds(10), Duration.ofSeconds(5),
                    Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(5)))
            .build();
    private final Context root = tree.root();

    @AfterEach
    void closeTree() {
        tree.close();
    }

    private List<WarningKind> kinds() {
        return tree.warnings().stream().map(Warning::kind).toList();
    }

    @Test
    void aDeadlockWarningSaysHowLongTheCycleHasExisted() throws Exception {
        NamedLock accounts = root.mutex("accounts");
        NamedLock ledger = root.mutex("ledger");
        java.util.concurrent.CountDownLatch ledgerTaken = new java.util.concurrent.CountDownLatch(1);
        Task<Void> a = root.spawnChild("transfer-a", ctx -> {
            try (Held first = accounts.acquire()) {
                ledgerTaken.await();
                try (Held second = ledger.acquire()) {
                    return null;
                }
            }
        });
        Task<Void> b = root.spawnChild("transfer-b", ctx -> {
            try (Held first = ledger.acquire()) {
                ledgerTaken.countDown();
                awaitTrue("transfer-a waits for the ledger", () -> ledger.snapshot().waiters().size() == 1);
                clock.advance(Duration.ofSeconds(2)); // transfer-a's wait is 2 s older than the one that closes the cycle
                try (Held second = accounts.acquire()) {
                    return null;
                }
            }
        });
        awaitTrue("the cycle is found", () -> !tree.deadlocks().isEmpty());
        clock.advance(Duration.ofSeconds(3));
        Warning deadlock = tree.warnings().get(0);
        assertEquals(WarningKind.DEADLOCK, deadlock.kind());
        assertEquals(Duration.ofSeconds(3), deadlock.duration(), "since the cycle formed: its youngest wait began");
        a.context().cancel();
        b.context().cancel();
    }

    @Test
    void longHeldLocksAndStuckWaitersAppearAndClear() throws Exception {
        Context alice = root.child("alice@bv478gen").open();
        NamedLock out = alice.mutex("session-output-lock");
        Context stdout = alice.child("stdout-handler").open();
        Held held;
        try (Scope s = stdout.makeCurrent()) {
            held = out.acquire();
        }
        Task<Void> stderr = alice.spawnChild("stderr-stream", ctx -> {
            try (Held h = out.acquire()) {
                return null;
            }
        });
        awaitTrue("stderr-stream waits", () -> out.snapshot().waiters().size() == 1);
        assertEquals(List.of(), kinds(), "nothing crosses a threshold yet");

        clock.advance(Duration.ofMillis(5_100));
        Warning stuck = tree.warnings().get(0);
        assertEquals(WarningKind.STUCK_WAITER, stuck.kind());
        assertEquals(Severity.WARNING, stuck.severity());
        assertEquals("global.alice@bv478gen.stderr-stream waiting for lock \"session-output-lock\" for 5.1s (STUCK)",
                stuck.message());

        clock.advance(Duration.ofSeconds(5));
        List<Warning> both = tree.warnings();
        assertEquals(List.of(WarningKind.LONG_HELD, WarningKind.STUCK_WAITER), both.stream().map(Warning::kind).toList());
        assertEquals("lock \"session-output-lock\" held by global.alice@bv478gen.stdout-handler for 10.1s (LONG HELD)",
                both.get(0).message());

        held.close();
        stderr.join();
        assertEquals(List.of(), kinds(), "cleared once the situation is over");
    }

    @Test
    void contextWarnings() {
        Context cancelled = root.child("stubborn").open();
        cancelled.cancel("shutdown");
        Context late = root.child("late").withTimeout(Duration.ofHours(1)).open();
        Context busy = root.child("busy").open();
        Operation op = busy.operation("await database-query");
        Context sleepy = root.child("sleepy").open();
        clock.advance(Duration.ofSeconds(31));
        assertTrue(kinds().contains(WarningKind.CANCELLED_STILL_RUNNING));
        Warning longOp = tree.warnings().stream().filter(w -> w.kind() == WarningKind.LONG_OPERATION).findFirst().orElseThrow();
        assertEquals("global.busy stuck on: await database-query (31.0s)", longOp.message());
        op.close();
        assertFalse(kinds().contains(WarningKind.LONG_OPERATION));

        clock.advance(Duration.ofMinutes(5));
        Warning idle = tree.warnings().stream().filter(w -> w.contextPath().equals("global.sleepy")).findFirst().orElseThrow();
        assertEquals(Severity.INFO, idle.severity());
        assertEquals(WarningKind.IDLE, idle.kind());
        sleepy.touch();
        assertTrue(tree.warnings().stream().noneMatch(w -> w.contextPath().equals("global.sleepy")));

        clock.advance(Duration.ofHours(1));
        Warning past = tree.warnings().stream().filter(w -> w.contextPath().equals("global.late")).findFirst().orElseThrow();
        assertEquals(WarningKind.PAST_DEADLINE, past.kind());
        assertTrue(past.message().startsWith("global.late still alive "), past.message());
        late.close();
        cancelled.close();
        assertTrue(tree.warnings().stream().noneMatch(w -> w.kind() == WarningKind.PAST_DEADLINE
                || w.kind() == WarningKind.CANCELLED_STILL_RUNNING));
    }

    @Test
    void warningsComeMostSevereFirst() throws Exception {
        NamedLock a = root.mutex("a");
        NamedLock b = root.mutex("b");
        java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(2);
        Task<Void> t1 = root.spawnChild("t1", ctx -> {
            try (Held x = a.acquire()) {
                barrier.await();
                try (Held y = b.acquire()) {
                    return null;
                }
            }
        });
        Task<Void> t2 = root.spawnChild("t2", ctx -> {
            try (Held x = b.acquire()) {
                barrier.await();
                try (Held y = a.acquire()) {
                    return null;
                }
            }
        });
        awaitTrue("deadlocked", () -> tree.deadlocks().stream().anyMatch(d -> d.source().equals("CANOPY")));
        clock.advance(Duration.ofMinutes(6));
        List<Warning> ws = tree.warnings();
        assertEquals(Severity.CRITICAL, ws.get(0).severity());
        assertEquals(Severity.INFO, ws.get(ws.size() - 1).severity());
        t1.context().cancel();
        t2.context().cancel();
    }

    @Test
    void badThresholdsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new WarningThresholds(Duration.ofSeconds(-1),
                Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO));
        assertThrows(NullPointerException.class, () -> new WarningThresholds(null,
                Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO));
    }
}
