package dev.canopy;

import dev.canopy.status.ContextStatus;
import dev.canopy.status.CounterSnapshot;
import dev.canopy.status.Deadlock;
import dev.canopy.status.LockHolder;
import dev.canopy.status.LockSnapshot;
import dev.canopy.status.LockWaiter;
import dev.canopy.status.Status;
import dev.canopy.status.SystemMetrics;
import dev.canopy.status.Warning;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Takes a {@link Status} snapshot. Reads only concurrent structures (no lock the application takes), and a context
 * is linked into its parent only after its initial data is set, so no half-built context is ever seen.
 */
final class StatusBuilder {
    /** Levels kept in a snapshot; deeper descendants are counted in {@code omittedDescendants}. */
    static final int MAX_DEPTH = 128;

    private StatusBuilder() {
    }

    static Status build(ContextTree tree, SystemMetrics system) {
        long now = tree.clock.nanoTime();
        List<LockSnapshot> locks = tree.lockRegistry().snapshots();
        Map<Long, List<LockHolder>> holds = new HashMap<>();
        Map<Long, List<LockWaiter>> waits = new HashMap<>();
        for (LockSnapshot l : locks) {
            for (LockHolder h : l.holders()) {
                holds.computeIfAbsent(h.contextId(), k -> new ArrayList<>()).add(h);
            }
            for (LockWaiter w : l.waiters()) {
                waits.computeIfAbsent(w.contextId(), k -> new ArrayList<>()).add(w);
            }
        }
        List<CounterSnapshot> counters = tree.counters().snapshot();
        Map<String, Map<String, Long>> totals = new HashMap<>();
        Map<String, Map<String, Long>> live = new HashMap<>();
        for (CounterSnapshot c : counters) {
            totals.computeIfAbsent(c.path(), k -> new HashMap<>()).put(c.counter(), c.total());
            if (c.live() > 0) {
                live.computeIfAbsent(c.path(), k -> new HashMap<>()).put(c.counter(), c.live());
            }
        }
        List<Deadlock> deadlocks = tree.lockRegistry().deadlocks();
        List<Warning> warnings = WarningScanner.scan(tree, tree.warningThresholds(), locks, deadlocks);
        ContextStatus root = tree(tree.root(), now, holds, waits, totals, live);
        return new Status(Status.SCHEMA, tree.instantAt(now), root, locks, deadlocks, warnings, counters,
                tree.recentCompletions(), tree.statistics(), system);
    }

    /** One level of the iterative walk: a context, its children to visit, and the snapshots made of them. */
    private static final class Frame {
        final Context context;
        final int depth;
        final List<Context> children;
        final List<ContextStatus> done = new ArrayList<>();
        int next;
        int omitted;

        Frame(Context context, int depth) {
            this.context = context;
            this.depth = depth;
            this.children = context.children();
        }
    }

    private static ContextStatus tree(Context root, long now, Map<Long, List<LockHolder>> holds,
                                      Map<Long, List<LockWaiter>> waits, Map<String, Map<String, Long>> totals,
                                      Map<String, Map<String, Long>> live) {
        // iterative post-order: a tree thousands of levels deep must not overflow the stack
        ArrayDeque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(root, 0));
        ContextStatus result = null;
        while (!stack.isEmpty()) {
            Frame f = stack.peek();
            if (f.next < f.children.size()) {
                Context child = f.children.get(f.next++);
                if (f.depth + 1 > MAX_DEPTH) {
                    f.omitted += countSubtree(child);
                } else {
                    stack.push(new Frame(child, f.depth + 1));
                }
                continue;
            }
            stack.pop();
            ContextStatus built = one(f, now, holds, waits, totals, live);
            if (stack.isEmpty()) {
                result = built;
            } else {
                stack.peek().done.add(built);
            }
        }
        return result;
    }

    private static int countSubtree(Context c) {
        int n = 0;
        ArrayDeque<Context> pending = new ArrayDeque<>();
        pending.push(c);
        while (!pending.isEmpty()) {
            Context x = pending.pop();
            n++;
            x.children().forEach(pending::push);
        }
        return n;
    }

    private static ContextStatus one(Frame f, long now, Map<Long, List<LockHolder>> holds,
                                     Map<Long, List<LockWaiter>> waits, Map<String, Map<String, Long>> totals,
                                     Map<String, Map<String, Long>> live) {
        Context c = f.context;
        Instant deadline = c.deadline().orElse(null);
        Duration timeLeft = c.timeLeft().orElse(null);
        String path = c.path();
        return new ContextStatus(c.id(), c.name(), path, c.state(), c.hasOutcome(), c.createdAt(), c.duration(),
                c.idleDuration(), deadline, timeLeft, c.cancellation().orElse(null), c.operations(), c.dataJson(),
                c.metrics(), totals.getOrDefault(path, Map.of()), live.getOrDefault(path, Map.of()),
                holds.getOrDefault(c.id(), List.of()), waits.getOrDefault(c.id(), List.of()), f.done, f.omitted);
    }
}
