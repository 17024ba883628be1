package dev.canopy;

import dev.canopy.status.WarningKind;

import dev.canopy.internal.Durations;
import dev.canopy.status.Deadlock;
import dev.canopy.status.LeakedContext;
import dev.canopy.status.LockHolder;
import dev.canopy.status.LockSnapshot;
import dev.canopy.status.LockWaiter;
import dev.canopy.status.OperationInfo;
import dev.canopy.status.Severity;
import dev.canopy.status.Warning;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Computes the warnings of a tree at one moment, from its contexts, locks and deadlocks. */
final class WarningScanner {
    private WarningScanner() {
    }

    static List<Warning> scan(ContextTree tree, WarningThresholds t, List<LockSnapshot> locks, List<Deadlock> deadlocks) {
        long now = tree.clock.nanoTime();
        List<Warning> out = new ArrayList<>();
        for (Deadlock d : deadlocks) {
            out.add(new Warning(Severity.CRITICAL, WarningKind.DEADLOCK, "deadlock: " + d.describe(),
                    d.steps().get(0).contextPath(), d.steps().get(0).lockName(), age(d, locks)));
        }
        for (LockSnapshot lock : locks) {
            for (LockHolder h : lock.holders()) {
                if (exceeds(h.held(), t.lockHeld())) {
                    out.add(new Warning(Severity.WARNING, WarningKind.LONG_HELD, "lock \"" + lock.name() + "\" held by "
                            + h.contextPath() + " for " + Durations.human(h.held()) + " (LONG HELD)",
                            h.contextPath(), lock.name(), h.held()));
                }
            }
            for (LockWaiter w : lock.waiters()) {
                if (exceeds(w.waiting(), t.lockWait())) {
                    out.add(new Warning(Severity.WARNING, WarningKind.STUCK_WAITER, w.contextPath() + " waiting for lock \""
                            + lock.name() + "\" for " + Durations.human(w.waiting()) + " (STUCK)",
                            w.contextPath(), lock.name(), w.waiting()));
                }
            }
        }
        for (LeakedContext leak : tree.recentLeaks()) {
            out.add(new Warning(Severity.WARNING, WarningKind.LEAKED, leak.path() + " (#" + leak.id() + ") was never closed: "
                    + "garbage-collected " + Durations.human(leak.age()) + " after it was opened"
                    + (leak.openedAt() == null ? "" : "; opened at " + leak.openedAt()), leak.path(), null, leak.age()));
        }
        ArrayDeque<Context> pending = new ArrayDeque<>();
        pending.push(tree.root());
        while (!pending.isEmpty()) {
            Context c = pending.pop();
            scanContext(c, tree, t, now, out);
            for (Context child : c.children()) {
                pending.push(child);
            }
        }
        out.sort(Comparator.comparing(Warning::severity).reversed()
                .thenComparing(Warning::duration, Comparator.reverseOrder()));
        return out;
    }

    private static void scanContext(Context c, ContextTree tree, WarningThresholds t, long now, List<Warning> out) {
        long deadline = c.deadlineNanos();
        boolean pastDeadline = deadline != Context.NO_DEADLINE && now > deadline;
        if (pastDeadline) {
            Duration past = Duration.ofNanos(now - deadline);
            if (exceeds(past, t.pastDeadline())) {
                out.add(new Warning(Severity.WARNING, WarningKind.PAST_DEADLINE, c.path() + " still alive "
                        + Durations.human(past) + " past its deadline", c.path(), null, past));
            }
        }
        Cancellation cancellation = c.cancellation().orElse(null);
        if (cancellation != null && !pastDeadline) {
            Duration since = Duration.ofNanos(Math.max(0, now - tree.nanosAt(cancellation.cancelledAt())));
            if (exceeds(since, t.cancelledStillRunning())) {
                out.add(new Warning(Severity.WARNING, WarningKind.CANCELLED_STILL_RUNNING, c.path() + " cancelled "
                        + Durations.human(since) + " ago (" + cancellation.reason() + ") and still running",
                        c.path(), null, since));
            }
        }
        for (OperationInfo op : c.operations()) {
            if (!op.name().startsWith("waiting for lock") && exceeds(op.duration(), t.operation())) {
                out.add(new Warning(Severity.WARNING, WarningKind.LONG_OPERATION, c.path() + " stuck on: " + op.name()
                        + " (" + Durations.human(op.duration()) + ")", c.path(), null, op.duration()));
            }
        }
        if (c.state() == ContextState.ACTIVE) {
            Duration idle = c.idleDuration();
            if (exceeds(idle, t.idle())) {
                out.add(new Warning(Severity.INFO, WarningKind.IDLE, c.path() + " idle for " + Durations.human(idle),
                        c.path(), null, idle));
            }
        }
    }

    /**
     * How long a cycle has existed: it formed when its youngest wait began. Zero when a step is not a wait for a
     * named lock (the JVM's findings through monitors and JDK locks), as its start is not known.
     */
    private static Duration age(Deadlock d, List<LockSnapshot> locks) {
        Duration youngest = null;
        for (Deadlock.Step step : d.steps()) {
            Duration waiting = locks.stream().filter(l -> l.name().equals(step.lockName()))
                    .flatMap(l -> l.waiters().stream())
                    .filter(w -> w.thread().equals(step.thread()) && w.contextPath().equals(step.contextPath()))
                    .map(LockWaiter::waiting).findFirst().orElse(null);
            if (waiting == null) {
                return Duration.ZERO;
            }
            youngest = youngest == null || waiting.compareTo(youngest) < 0 ? waiting : youngest;
        }
        return youngest == null ? Duration.ZERO : youngest;
    }

    private static boolean exceeds(Duration d, Duration threshold) {
        return d.compareTo(threshold) > 0;
    }
}
