package dev.canopy;

import dev.canopy.status.CounterSnapshot;
import dev.canopy.status.Deadlock;
import dev.canopy.status.LeakedContext;
import dev.canopy.status.TreeStatistics;

import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Emits {@link JfrEvents}. Registration is lazy: the event classes are registered, and the periodic hooks added,
 * only when a flight recorder initialises ({@link FlightRecorder#addListener} does not start one). Every emission
 * checks {@code isEnabled()} on a shared probe before allocating, and fills strings only after
 * {@code shouldCommit()}.
 */
final class JfrBridge {
    private static final JfrEvents.ContextStart START = new JfrEvents.ContextStart();
    private static final JfrEvents.ContextEnd END = new JfrEvents.ContextEnd();
    private static final JfrEvents.ContextCancel CANCEL = new JfrEvents.ContextCancel();
    private static final JfrEvents.LockWait WAIT = new JfrEvents.LockWait();
    private static final JfrEvents.LockHold HOLD = new JfrEvents.LockHold();
    private static final JfrEvents.Deadlock DEADLOCK = new JfrEvents.Deadlock();
    private static final JfrEvents.ContextLeak LEAK = new JfrEvents.ContextLeak();
    private static final Set<ContextTree> TREES = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private static final AtomicBoolean REGISTERED = new AtomicBoolean();

    private JfrBridge() {
    }

    static void init() {
        FlightRecorder.addListener(new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder recorder) {
                registerEvents();
            }

            @Override
            public void recordingStateChanged(Recording recording) {
                if (recording.getState() == RecordingState.RUNNING) {
                    emitExistingContexts();
                }
            }
        });
    }

    private static void registerEvents() {
        if (!REGISTERED.compareAndSet(false, true)) {
            return;
        }
        for (Class<? extends Event> type : List.of(JfrEvents.ContextStart.class, JfrEvents.ContextEnd.class,
                JfrEvents.ContextCancel.class, JfrEvents.LockWait.class, JfrEvents.LockHold.class,
                JfrEvents.Deadlock.class, JfrEvents.ContextLeak.class, JfrEvents.Counter.class,
                JfrEvents.TreeStatistics.class)) {
            FlightRecorder.register(type);
        }
        FlightRecorder.addPeriodicEvent(JfrEvents.Counter.class, JfrBridge::emitCounters);
        FlightRecorder.addPeriodicEvent(JfrEvents.TreeStatistics.class, JfrBridge::emitStatistics);
        // the last values would be lost with the JVM: emit them once more on the way out (best effort, as the
        // JVM's own hook that dumps recordings runs concurrently)
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emitCounters();
            emitStatistics();
        }, "canopy-jfr-final"));
    }

    static void register(ContextTree tree) {
        TREES.add(tree);
    }

    private static List<ContextTree> trees() {
        synchronized (TREES) {
            return new ArrayList<>(TREES);
        }
    }

    // ------------------------------------------------------------------ contexts

    static void contextCreated(Context context) {
        if (START.isEnabled()) {
            JfrEvents.ContextStart e = new JfrEvents.ContextStart();
            if (e.shouldCommit()) {
                fillStart(e, context, false);
                e.commit();
            }
        }
        if (END.isEnabled()) {
            JfrEvents.ContextEnd e = new JfrEvents.ContextEnd();
            e.begin();
            context.jfrEnd = e;
        }
    }

    private static void fillStart(JfrEvents.ContextStart e, Context context, boolean existing) {
        e.contextId = context.id();
        e.parentId = context.parent().map(Context::id).orElse(0L);
        e.name = context.name();
        e.path = context.path();
        e.existing = existing;
    }

    /** A recording just started: announce the contexts that already live, so the recording holds the whole tree. */
    private static void emitExistingContexts() {
        if (!START.isEnabled()) {
            return;
        }
        for (ContextTree tree : trees()) {
            ArrayDeque<Context> pending = new ArrayDeque<>();
            pending.add(tree.root());
            while (!pending.isEmpty()) {
                Context c = pending.poll();
                JfrEvents.ContextStart e = new JfrEvents.ContextStart();
                if (e.shouldCommit()) {
                    fillStart(e, c, true);
                    e.commit();
                }
                pending.addAll(c.children());
            }
        }
    }

    static void contextEnded(Context context, ContextState outcome, Throwable failure) {
        Object pending = context.jfrEnd;
        JfrEvents.ContextEnd e;
        if (pending instanceof JfrEvents.ContextEnd p) {
            e = p;
            context.jfrEnd = null;
        } else if (END.isEnabled()) {
            e = new JfrEvents.ContextEnd(); // created before the recording: the event covers only its end
            e.begin();
        } else {
            return;
        }
        e.end();
        if (e.shouldCommit()) {
            e.contextId = context.id();
            e.parentId = context.parent().map(Context::id).orElse(0L);
            e.name = context.name();
            e.path = context.path();
            e.outcome = outcome.name().toLowerCase(java.util.Locale.ROOT);
            Cancellation c = context.cancellation().orElse(null);
            e.message = outcome == ContextState.CANCELLED && c != null ? c.reason()
                    : failure != null ? failure.getMessage() : null;
            e.exceptionClass = failure == null ? null : failure.getClass().getName();
            e.lifetime = context.duration().toNanos();
            e.commit();
        }
    }

    static void cancelled(Context context, Cancellation cancellation, int subtreeSize) {
        if (CANCEL.isEnabled()) {
            JfrEvents.ContextCancel e = new JfrEvents.ContextCancel();
            if (e.shouldCommit()) {
                e.contextId = context.id();
                e.path = context.path();
                e.reason = cancellation.reason();
                e.initiatorPath = cancellation.initiatorPath();
                e.subtreeSize = subtreeSize;
                e.commit();
            }
        }
    }

    // ------------------------------------------------------------------ locks

    static void holdStarted(Hold hold) {
        if (hold.jfr == null && HOLD.isEnabled()) { // a semaphore hold that grows keeps its first event
            JfrEvents.LockHold e = new JfrEvents.LockHold();
            e.begin();
            hold.jfr = e;
        }
    }

    static void holdEnded(LockCore lock, Hold hold) {
        JfrEvents.LockHold e = (JfrEvents.LockHold) hold.jfr;
        hold.jfr = null;
        e.end();
        if (e.shouldCommit()) {
            e.lockName = lock.name;
            e.lockKind = lock.kind.name();
            e.mode = hold.mode.name();
            e.contextId = hold.context.id();
            e.path = hold.context.path();
            e.commit();
        }
    }

    static Object waitStarted(LockCore lock) {
        if (!WAIT.isEnabled()) {
            return null;
        }
        JfrEvents.LockWait e = new JfrEvents.LockWait();
        // who held it when the wait began: captured now, and only while recording
        StringBuilder holders = new StringBuilder();
        for (Hold h : lock.holds()) {
            if (holders.length() > 0) {
                holders.append(", ");
            }
            holders.append(h.context.path());
        }
        e.holders = holders.toString();
        e.begin();
        return e;
    }

    static void waitEnded(Object event, LockCore lock, Waiter waiter, boolean acquired) {
        JfrEvents.LockWait e = (JfrEvents.LockWait) event;
        e.end();
        if (e.shouldCommit()) {
            e.lockName = lock.name;
            e.lockKind = lock.kind.name();
            e.mode = waiter.mode.name();
            e.permits = waiter.permits;
            e.contextId = waiter.context.id();
            e.path = waiter.context.path();
            e.acquired = acquired;
            e.commit();
        }
    }

    static void leak(LeakedContext leak) {
        if (LEAK.isEnabled()) {
            JfrEvents.ContextLeak e = new JfrEvents.ContextLeak();
            if (e.shouldCommit()) {
                e.contextId = leak.id();
                e.path = leak.path();
                e.age = leak.age().toNanos();
                e.openedAt = leak.openedAt();
                e.commit();
            }
        }
    }

    static void deadlock(Deadlock deadlock) {
        if (DEADLOCK.isEnabled()) {
            JfrEvents.Deadlock e = new JfrEvents.Deadlock();
            if (e.shouldCommit()) {
                e.cycle = deadlock.describe();
                e.contexts = deadlock.size();
                e.commit();
            }
        }
    }

    // ------------------------------------------------------------------ periodic

    private static void emitCounters() {
        for (ContextTree tree : trees()) {
            for (CounterSnapshot c : tree.counters().snapshot()) {
                JfrEvents.Counter e = new JfrEvents.Counter();
                e.key = c.key();
                e.total = c.total();
                e.live = c.live();
                e.ratePerSecond = c.windows().ratePerSecond();
                e.commit();
            }
        }
    }

    private static void emitStatistics() {
        for (ContextTree tree : trees()) {
            TreeStatistics s = tree.statistics();
            JfrEvents.TreeStatistics e = new JfrEvents.TreeStatistics();
            e.root = tree.root().name();
            e.liveContexts = s.live();
            e.created = s.created();
            e.completed = s.completed();
            e.failed = s.failed();
            e.cancelled = s.cancelled();
            e.leaked = s.leaked();
            e.namedLocks = tree.lockRegistry().lockCount();
            e.waiters = tree.lockRegistry().waiterCount();
            e.counterKeys = tree.counters().size();
            e.commit();
        }
    }
}
