package dev.canopy;

import dev.canopy.status.Deadlock;
import dev.canopy.status.LockHolder;
import dev.canopy.status.LockSnapshot;
import dev.canopy.status.LockWaiter;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The named locks of one tree, the deadlock detector over their wait-for graph, and the watchdog that runs it
 * while anyone waits.
 *
 * <p>Locks are kept while their owning context lives or while they are held or awaited; an idle lock of an ended
 * context is dropped from the registry (and comes back when used again), so per-request locks do not pile up.
 */
final class LockRegistry {
    private static final System.Logger LOG = System.getLogger(LockRegistry.class.getName());

    private final ContextTree tree;
    private final Duration watchdogPeriod;
    private final ConcurrentHashMap<LockCore, Boolean> locks = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();
    /** Watchdog rounds that looked for cycles (tests wait on it instead of on time). */
    final java.util.concurrent.atomic.AtomicLong watchRounds = new java.util.concurrent.atomic.AtomicLong();
    private final List<Consumer<Deadlock>> listeners = new CopyOnWriteArrayList<>();
    /** Cycles already reported by the watchdog, by canonical key; guarded by this. */
    private final Set<String> reported = new HashSet<>();
    private ScheduledFuture<?> watchdog;

    LockRegistry(ContextTree tree, Duration watchdogPeriod) {
        this.tree = tree;
        this.watchdogPeriod = watchdogPeriod;
    }

    void register(LockCore lock) {
        lock.registered = true;
        locks.put(lock, Boolean.TRUE);
    }

    /** The registered locks, oldest first, dropping idle ones whose owning context has ended. */
    List<LockCore> locks() {
        List<LockCore> out = new ArrayList<>(locks.size());
        for (LockCore lock : locks.keySet()) {
            if (lock.ownerGone() && lock.isIdle()) {
                lock.registered = false;
                java.lang.invoke.VarHandle.fullFence(); // pairs with the acquirer's (LockCore.acquiredBy)
                boolean removedHere = locks.remove(lock) != null; // two looks at once: one of them retires it
                // an acquirer writes its hold, then reads `registered`; we wrote `registered`, now read holds
                if (!lock.isIdle()) {
                    register(lock);
                    out.add(lock);
                } else if (removedHere) {
                    ListenerChain lc = tree.listeners();
                    if (lc.wantsRetiredLocks) {
                        lc.lockRetired(lock);
                    }
                }
            } else {
                out.add(lock);
            }
        }
        out.sort(Comparator.comparingLong(l -> l.id));
        return out;
    }

    List<LockSnapshot> snapshots() {
        long now = tree.clock.nanoTime();
        List<LockSnapshot> out = new ArrayList<>();
        for (LockCore lock : locks()) {
            out.add(lock.snapshot(now));
        }
        return out;
    }

    List<LockHolder> holdersOf(Context context) {
        long now = tree.clock.nanoTime();
        List<LockHolder> out = new ArrayList<>();
        for (LockCore lock : locks.keySet()) {
            for (Hold h : lock.holds()) {
                if (h.context == context) {
                    out.add(lock.holder(h, now));
                }
            }
        }
        out.sort(Comparator.comparing(LockHolder::since));
        return out;
    }

    List<LockWaiter> waitersOf(Context context) {
        long now = tree.clock.nanoTime();
        List<LockWaiter> out = new ArrayList<>();
        for (LockCore lock : locks.keySet()) {
            for (Waiter w : lock.waiters) {
                if (w.context == context) {
                    out.add(lock.waiter(w, now));
                }
            }
        }
        out.sort(Comparator.comparing(LockWaiter::since));
        return out;
    }

    int lockCount() {
        return locks.size();
    }

    int waiterCount() {
        return Math.max(0, waiting.get());
    }

    void addListener(Consumer<Deadlock> listener) {
        listeners.add(listener);
    }

    // ------------------------------------------------------------------ watchdog

    /** Counted only once the waiter is in its lock's set, and uncounted when it leaves it. */
    void waitStarted(LockCore lock) {
        if (waiting.incrementAndGet() == 1) {
            startWatchdog();
        }
    }

    void waitEnded() {
        waiting.decrementAndGet();
    }

    private synchronized void startWatchdog() {
        if (watchdog != null || watchdogPeriod.isZero()) {
            return;
        }
        WeakReference<LockRegistry> self = new WeakReference<>(this);
        ScheduledFuture<?>[] handle = new ScheduledFuture<?>[1];
        handle[0] = DeadlineTimer.scheduleAtFixedRate(() -> {
            LockRegistry r = self.get();
            if (r == null) {
                if (handle[0] != null) {
                    handle[0].cancel(false);
                }
            } else {
                r.watch();
            }
        }, watchdogPeriod.toNanos());
        watchdog = handle[0];
    }

    /** One watchdog round: reports each new cycle once; stops itself when nobody waits. */
    void watch() {
        if (waiting.get() <= 0) {
            synchronized (this) {
                if (waiting.get() <= 0 && watchdog != null) {
                    watchdog.cancel(false);
                    watchdog = null;
                    reported.clear();
                }
            }
            return;
        }
        List<Deadlock> found = canopyDeadlocks();
        if (aWaitHasLasted(watchdogPeriod.toNanos())) {
            // a cycle through a named lock and a monitor or JDK lock is invisible to the wait-for graph above: only
            // the JVM sees its other edges. Asked only once a wait has lasted a whole period, as its look pauses
            // the JVM's threads, and a deadlocked wait lasts forever while most waits are over within microseconds
            List<Deadlock> withJvms = new ArrayList<>(found);
            withJvms.addAll(jdkDeadlocks(found, true));
            found = withJvms;
        }
        List<Deadlock> fresh = new ArrayList<>();
        synchronized (this) {
            Set<String> current = new HashSet<>();
            for (Deadlock d : found) {
                String key = key(d);
                current.add(key);
                if (reported.add(key)) {
                    fresh.add(d);
                }
            }
            reported.retainAll(current); // a cycle that resolved may be reported again if it comes back
        }
        for (Deadlock d : fresh) {
            LOG.log(System.Logger.Level.ERROR, d.headline() + ": " + d.describe());
            ListenerChain lc = tree.listeners();
            if (lc.wantsDeadlocks) {
                lc.deadlockFound(d);
            }
            for (Consumer<Deadlock> l : listeners) {
                try {
                    l.accept(d);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "deadlock listener threw", e);
                }
            }
        }
        watchRounds.incrementAndGet(); // after reporting: a test that saw the round also sees its reports
    }

    /** Whether a registered waiter has waited at least {@code nanos}. */
    private boolean aWaitHasLasted(long nanos) {
        long now = tree.clock.nanoTime();
        for (LockCore lock : locks.keySet()) {
            for (Waiter w : lock.waiters) {
                if (now - w.sinceNanos >= nanos) {
                    return true;
                }
            }
        }
        return false;
    }

    synchronized void close() {
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
        }
    }

    private static String key(Deadlock d) {
        StringBuilder b = new StringBuilder(d.source());
        for (Deadlock.Step s : d.steps()) {
            b.append('|').append(s.thread()).append('@').append(s.lockName());
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ detection

    /** Cycles among named locks, then those the JVM finds in monitors and JDK locks that are not already named. */
    List<Deadlock> deadlocks() {
        List<Deadlock> out = new ArrayList<>(canopyDeadlocks());
        out.addAll(jdkDeadlocks(out, false));
        return out;
    }

    /** One node of the wait-for graph: a waiting thread and the threads it waits on. */
    private record Wait(Waiter waiter, List<Thread> blockers, boolean anyReleaseSuffices) {
    }

    /**
     * Threads are the nodes: a waiter is stuck until all conflicting holders release (mutex, read/write), or until
     * any one does (semaphore). The stuck set is the greatest fixpoint of "waits only on stuck threads"; each cycle
     * inside it is one deadlock, reported as steps in wait order.
     */
    List<Deadlock> canopyDeadlocks() {
        Map<Thread, Wait> waits = new LinkedHashMap<>();
        for (LockCore lock : locks.keySet()) {
            if (lock.waiters.isEmpty()) {
                continue;
            }
            List<Hold> holds = lock.holds();
            for (Waiter w : lock.waiters) {
                List<Thread> blockers = new ArrayList<>();
                for (Hold h : holds) {
                    boolean own = h.thread == w.thread;
                    // a thread's own hold blocks it where the JDK never lets it through: a read hold under a
                    // write request (no upgrade), and permits it holds itself while asking for more
                    boolean selfBlock = own && (lock.kind == LockKind.SEMAPHORE
                            || w.mode == LockMode.WRITE && h.mode == LockMode.READ);
                    if ((!own && LockCore.conflicts(w.mode, h.mode)) || selfBlock) {
                        blockers.add(h.thread);
                    }
                }
                if (w.mode == LockMode.READ) {
                    // readers queue behind a writer that asked first
                    for (Waiter other : lock.waiters) {
                        if (other.mode == LockMode.WRITE && other.sinceNanos < w.sinceNanos && other.thread != w.thread) {
                            blockers.add(other.thread);
                        }
                    }
                }
                waits.put(w.thread, new Wait(w, blockers, lock.kind == LockKind.SEMAPHORE));
            }
        }
        if (waits.isEmpty()) {
            return List.of();
        }
        Set<Thread> stuck = new HashSet<>(waits.keySet());
        boolean changed = true;
        while (changed) {
            changed = false;
            for (var it = stuck.iterator(); it.hasNext(); ) {
                Wait w = waits.get(it.next());
                if (canProceed(w, stuck)) {
                    it.remove();
                    changed = true;
                }
            }
        }
        List<Deadlock> out = new ArrayList<>();
        Set<Thread> visited = new HashSet<>();
        List<Thread> order = new ArrayList<>(stuck);
        order.sort(Comparator.comparingLong(LockRegistry::threadId));
        for (Thread start : order) {
            if (visited.contains(start)) {
                continue;
            }
            List<Thread> path = new ArrayList<>();
            Map<Thread, Integer> index = new HashMap<>();
            Thread current = start;
            while (current != null && !index.containsKey(current) && !visited.contains(current)) {
                index.put(current, path.size());
                path.add(current);
                current = nextStuck(waits.get(current), stuck);
            }
            if (current != null && index.containsKey(current)) {
                List<Thread> cycle = new ArrayList<>(path.subList(index.get(current), path.size()));
                Deadlock d = toDeadlock(cycle, waits);
                if (d != null) {
                    out.add(d);
                }
            }
            visited.addAll(path);
        }
        return out;
    }

    private static boolean canProceed(Wait w, Set<Thread> stuck) {
        if (w.blockers.isEmpty()) {
            return true;
        }
        if (w.anyReleaseSuffices) {
            for (Thread t : w.blockers) {
                if (!stuck.contains(t)) {
                    return true;
                }
            }
            return false;
        }
        for (Thread t : w.blockers) {
            if (stuck.contains(t)) {
                return false;
            }
        }
        return true;
    }

    private static Thread nextStuck(Wait w, Set<Thread> stuck) {
        Thread best = null;
        for (Thread t : w.blockers) {
            if (stuck.contains(t) && (best == null || threadId(t) < threadId(best))) {
                best = t;
            }
        }
        return best;
    }

    /** Builds the report, rotated to start at the lowest thread id; null if a wait in it has just ended. */
    private static Deadlock toDeadlock(List<Thread> cycle, Map<Thread, Wait> waits) {
        int first = 0;
        for (int i = 1; i < cycle.size(); i++) {
            if (threadId(cycle.get(i)) < threadId(cycle.get(first))) {
                first = i;
            }
        }
        List<Deadlock.Step> steps = new ArrayList<>();
        for (int i = 0; i < cycle.size(); i++) {
            Wait w = waits.get(cycle.get((first + i) % cycle.size()));
            // a snapshot taken without locks can catch a wait just as it resolves: confirm it is still there
            if (!w.waiter.lock.waiters.contains(w.waiter)) {
                return null;
            }
            steps.add(new Deadlock.Step(w.waiter.context.path(), describe(w.waiter.thread), w.waiter.lock.name,
                    w.waiter.mode));
        }
        return new Deadlock(steps, "CANOPY");
    }

    @SuppressWarnings("deprecation") // Thread.getId(): threadId() exists only from JDK 19
    static long threadId(Thread t) {
        return t.getId();
    }

    /** A thread as shown in reports: its name (virtual threads are often unnamed) and id. */
    static String describe(Thread t) {
        return describe(t.getName(), threadId(t));
    }

    static String describe(String name, long id) {
        return (name == null || name.isEmpty() ? "unnamed" : name) + "#" + id;
    }

    /**
     * Deadlocks the JVM finds among platform threads, minus those Canopy reports itself: cycles whose every thread
     * waits for a named lock (reported from the named locks, under their names, once the waits are registered).
     * A cycle that passes through a monitor or a JDK lock is the JVM's to report; its steps name a named lock by its
     * name, and a thread by the context of the named lock it holds or waits for, or of the task it runs.
     * {@code throughNamedLocksOnly}: only cycles in which a thread waits for one of this registry's named locks (the
     * watchdog's: the JVM's other deadlocks are not this tree's to announce).
     */
    private List<Deadlock> jdkDeadlocks(List<Deadlock> known, boolean throughNamedLocksOnly) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] ids;
        try {
            ids = threads.isSynchronizerUsageSupported() ? threads.findDeadlockedThreads()
                    : threads.findMonitorDeadlockedThreads();
        } catch (UnsupportedOperationException | SecurityException e) {
            return List.of();
        }
        if (ids == null || ids.length == 0) {
            return List.of();
        }
        Set<String> knownThreads = new HashSet<>();
        for (Deadlock d : known) {
            for (Deadlock.Step s : d.steps()) {
                knownThreads.add(s.thread());
            }
        }
        Map<Long, ThreadInfo> infos = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(ids, false, false)) {
            if (info != null) {
                infos.put(info.getThreadId(), info);
            }
        }
        Map<Long, LockCore> queuedOn = new HashMap<>();
        for (LockCore lock : locks.keySet()) {
            for (Thread t : lock.queuedThreads()) {
                queuedOn.put(threadId(t), lock);
            }
        }
        Map<Long, String> contextOfThread = contextsByThreadId(infos.keySet());
        List<Deadlock> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (long id : ids) {
            if (seen.contains(id) || !infos.containsKey(id)) {
                continue;
            }
            List<Deadlock.Step> steps = new ArrayList<>();
            List<Long> walked = new ArrayList<>();
            long current = id;
            while (infos.containsKey(current) && !walked.contains(current) && !seen.contains(current)) {
                walked.add(current);
                ThreadInfo info = infos.get(current);
                String thread = describe(info.getThreadName(), current);
                LockCore named = queuedOn.get(current);
                steps.add(new Deadlock.Step(contextOfThread.getOrDefault(current, "thread " + thread), thread,
                        named != null ? named.name : String.valueOf(info.getLockName()), LockMode.EXCLUSIVE));
                current = info.getLockOwnerId();
            }
            seen.addAll(walked);
            int start = walked.indexOf(current);
            if (start < 0) {
                continue; // leads into a cycle already reported: this thread only waits on it
            }
            steps = new ArrayList<>(steps.subList(start, steps.size()));
            List<Long> cycle = walked.subList(start, walked.size());
            boolean allKnown = steps.stream().allMatch(s -> knownThreads.contains(s.thread()));
            boolean allWaitForNamedLocks = cycle.stream().allMatch(queuedOn::containsKey);
            boolean throughANamedLock = cycle.stream().anyMatch(queuedOn::containsKey);
            if (!steps.isEmpty() && !allKnown && !allWaitForNamedLocks
                    && (throughANamedLock || !throughNamedLocksOnly)) {
                out.add(new Deadlock(steps, "JDK"));
            }
        }
        return out;
    }

    /**
     * The context each of {@code threadIds} works for, where the tree knows it: the context of a named lock the
     * thread holds or waits for, else that of the task it runs (found by walking the tree: a deadlock is rare).
     */
    private Map<Long, String> contextsByThreadId(Set<Long> threadIds) {
        Map<Long, String> out = new HashMap<>();
        for (LockCore lock : locks.keySet()) {
            for (Hold h : lock.holds()) {
                out.putIfAbsent(threadId(h.thread), h.context.path());
            }
            for (Waiter w : lock.waiters) {
                out.put(threadId(w.thread), w.context.path());
            }
        }
        if (!out.keySet().containsAll(threadIds)) {
            java.util.ArrayDeque<Context> toVisit = new java.util.ArrayDeque<>();
            toVisit.add(tree.root());
            while (!toVisit.isEmpty()) {
                Context c = toVisit.poll();
                TaskImpl<?> task = c.ownTask;
                Thread runner = task == null ? null : task.runner();
                if (runner != null && threadIds.contains(threadId(runner))) {
                    out.putIfAbsent(threadId(runner), c.path());
                }
                c.forEachChild(toVisit::add);
            }
        }
        return out;
    }
}
