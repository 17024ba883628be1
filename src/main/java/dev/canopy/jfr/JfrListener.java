package dev.canopy.jfr;

import dev.canopy.Cancellation;
import dev.canopy.Context;
import dev.canopy.ContextState;
import dev.canopy.ContextTree;
import dev.canopy.LockMode;
import dev.canopy.Registration;
import dev.canopy.spi.LockView;
import dev.canopy.spi.TreeListener;
import dev.canopy.status.CounterSnapshot;
import dev.canopy.status.Deadlock;
import dev.canopy.status.LeakedContext;
import dev.canopy.status.LockHolder;
import dev.canopy.status.LockSnapshot;
import dev.canopy.status.LockWaiter;
import dev.canopy.status.TreeStatistics;
import dev.canopy.status.Warning;

import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Canopy's whole JFR integration: one {@link TreeListener} per tree, joined to every tree by
 * {@link JfrListenerProvider}, emitting {@link JfrEvents}.
 *
 * <p>Registration is lazy: the event classes are registered, and the periodic hooks added, only when a flight
 * recorder initialises ({@link FlightRecorder#addListener} does not start one). Every emission checks
 * {@code isEnabled()} on a shared probe before allocating, and fills strings only after {@code shouldCommit()}. The
 * attachment of a context is its {@link JfrEvents.ContextEnd} event, begun at creation so that the event spans the
 * context's life; a hold's attachment is its {@link JfrEvents.LockHold}, a wait's its {@link JfrEvents.LockWait}.
 *
 * <p>This class overrides no scope method, so the tree skips scope calls for it. On JDK 25 and later, while a
 * recording with {@code dev.canopy.ContextScope} enabled runs, each tree also gets a {@link ContextualJfrListener},
 * which hears of scopes and emits that contextual event; it is removed when no such recording runs, so a JVM that is
 * not recording it pays nothing per {@code makeCurrent()}.
 *
 * <p><b>Periodic values.</b> JFR runs a periodic hook either every <i>duration</i> or at chunk boundaries, never both
 * (the {@code period} setting holds one value: a duration, {@code beginChunk}, {@code endChunk} or
 * {@code everyChunk}). A duration's first run comes up to one period after the recording starts (a full period in a
 * fresh JVM; sooner after an earlier recording, as JFR carries the elapsed time over), and nothing runs at stop or
 * dump. So with counters every 10 s a recording of a few seconds could hold no counter at all. Counter and
 * TreeStatistics keep their durations (cheap enough to leave on with thousands of counter keys), and
 * {@link JfrEvents.ChunkBoundary}, whose period is {@code everyChunk}, emits both again at the start and end of every
 * chunk: when a recording starts, stops (the JVM's exit included) or is dumped while running, and at rotations. A
 * recording of any length then holds the values at its start and at its end.
 */
class JfrListener implements TreeListener {
    private static final JfrEvents.ContextStart START = new JfrEvents.ContextStart();
    private static final JfrEvents.ContextEnd END = new JfrEvents.ContextEnd();
    private static final JfrEvents.ContextCancel CANCEL = new JfrEvents.ContextCancel();
    private static final JfrEvents.LockWait WAIT = new JfrEvents.LockWait();
    private static final JfrEvents.LockHold HOLD = new JfrEvents.LockHold();
    /**
     * Each thread's spare hold event: a hold ended on a thread leaves its event there for the thread's next hold,
     * so a recording with holds enabled (the JDK's default settings enable them) allocates no event per hold.
     */
    private static final ThreadLocal<SpareHold> SPARE_HOLD = ThreadLocal.withInitial(SpareHold::new);
    private static final JfrEvents.LockHoldInProgress HOLD_IN_PROGRESS = new JfrEvents.LockHoldInProgress();
    private static final JfrEvents.LockWaitInProgress WAIT_IN_PROGRESS = new JfrEvents.LockWaitInProgress();
    private static final JfrEvents.Deadlock DEADLOCK = new JfrEvents.Deadlock();
    private static final JfrEvents.Warning WARNING = new JfrEvents.Warning();
    /**
     * Warnings recorded per tree at one chunk boundary, most severe first: a tree of idle sessions could otherwise
     * write one event per context at every boundary.
     */
    static final int MAX_WARNINGS_PER_BOUNDARY = 1_000;
    private static final JfrEvents.ContextLeak LEAK = new JfrEvents.ContextLeak();
    private static final JfrEvents.Counter COUNTER = new JfrEvents.Counter();
    private static final JfrEvents.TreeStatistics STATISTICS = new JfrEvents.TreeStatistics();
    /** Each outcome's name as events carry it, made once rather than lower-cased for every ended context. */
    private static final String[] OUTCOMES = java.util.Arrays.stream(ContextState.values())
            .map(state -> state.name().toLowerCase(java.util.Locale.ROOT)).toArray(String[]::new);
    /**
     * Trees with a JFR listener, for the periodic events, the contexts announced when a recording starts and the
     * scope listener; each with its listener, held weakly too (the tree holds it, and it must not hold the tree).
     */
    private static final Map<ContextTree, WeakReference<JfrListener>> TREES =
            Collections.synchronizedMap(new WeakHashMap<>());
    /** Whether a running recording has the scope event enabled: trees then carry a {@link ContextualJfrListener}. */
    private static volatile boolean scopesRecorded;

    /** Whether this tree may get the scope listener (JDK 25 and later, not turned off). */
    private final boolean scopes;
    /** The scope listener's registration while this tree has one. */
    private final AtomicReference<Registration> scopeListener = new AtomicReference<>();
    private static final AtomicBoolean REGISTERED = new AtomicBoolean();
    private static final AtomicBoolean RECORDER_LISTENER = new AtomicBoolean();

    JfrListener(boolean scopes) {
        this.scopes = scopes;
        if (RECORDER_LISTENER.compareAndSet(false, true)) {
            FlightRecorder.addListener(new FlightRecorderListener() {
                @Override
                public void recorderInitialized(FlightRecorder recorder) {
                    registerEvents();
                }

                @Override
                public void recordingStateChanged(Recording recording) {
                    if (recording.getState() == RecordingState.RUNNING) {
                        EmitterThread.onEmitter(() -> {
                            emitExistingContexts();
                            emitExistingDeadlocks();
                        }).run();
                    }
                    followScopeRecording();
                }
            });
        }
    }

    private static void registerEvents() {
        if (!REGISTERED.compareAndSet(false, true)) {
            return;
        }
        for (Class<? extends Event> type : List.of(JfrEvents.ContextStart.class, JfrEvents.ContextEnd.class,
                JfrEvents.ContextCancel.class, JfrEvents.LockWait.class, JfrEvents.LockHold.class,
                JfrEvents.LockHoldInProgress.class, JfrEvents.LockWaitInProgress.class, JfrEvents.Deadlock.class,
                JfrEvents.Warning.class, JfrEvents.ContextLeak.class, JfrEvents.Counter.class,
                JfrEvents.TreeStatistics.class, JfrEvents.ChunkBoundary.class)) {
            FlightRecorder.register(type);
        }
        // on JDK 17 to 20 the hooks commit on a thread of Canopy's, so their strings survive (see EmitterThread)
        FlightRecorder.addPeriodicEvent(JfrEvents.Counter.class, EmitterThread.onEmitter(JfrListener::emitCounters));
        FlightRecorder.addPeriodicEvent(JfrEvents.TreeStatistics.class,
                EmitterThread.onEmitter(JfrListener::emitStatistics));
        // the values at the end of the last chunk too: JFR stops its recordings at exit, which ends the chunk and
        // runs this hook before the file is written (see "Periodic values" above)
        FlightRecorder.addPeriodicEvent(JfrEvents.ChunkBoundary.class,
                EmitterThread.onEmitter(JfrListener::emitAtChunkBoundary));
        FlightRecorder.addPeriodicEvent(JfrEvents.LockHoldInProgress.class,
                EmitterThread.onEmitter(JfrListener::emitHoldsInProgress));
        FlightRecorder.addPeriodicEvent(JfrEvents.LockWaitInProgress.class,
                EmitterThread.onEmitter(JfrListener::emitWaitsInProgress));
        FlightRecorder.addPeriodicEvent(JfrEvents.Warning.class, EmitterThread.onEmitter(JfrListener::emitWarnings));
        ContextScopeEvents.register();
    }

    @Override
    public void attached(ContextTree tree) {
        TREES.put(tree, new WeakReference<>(this));
        if (scopesRecorded) {
            joinScopes(tree, true);
        }
    }

    @Override
    public void detached(ContextTree tree) {
        TREES.remove(tree);
        joinScopes(tree, false);
    }

    private static List<ContextTree> trees() {
        synchronized (TREES) {
            return new ArrayList<>(TREES.keySet());
        }
    }

    /** After any recording starts or stops: trees hear of scopes exactly while the scope event is recorded. */
    private static void followScopeRecording() {
        boolean wanted = ContextScopeEvents.isEnabled();
        scopesRecorded = wanted;
        List<Map.Entry<ContextTree, WeakReference<JfrListener>>> entries;
        synchronized (TREES) {
            entries = new ArrayList<>(TREES.entrySet());
        }
        for (Map.Entry<ContextTree, WeakReference<JfrListener>> e : entries) {
            JfrListener l = e.getValue().get();
            if (l != null) {
                l.joinScopes(e.getKey(), wanted);
            }
        }
    }

    /** No monitor held while the tree's own is taken: a closing tree calls {@link #detached} holding it. */
    private void joinScopes(ContextTree tree, boolean join) {
        if (join && scopes && scopeListener.get() == null) {
            Registration r;
            try {
                r = tree.addListener(new ContextualJfrListener());
            } catch (IllegalStateException closed) {
                return; // the tree closed meanwhile: nothing to hear
            }
            if (!scopeListener.compareAndSet(null, r)) {
                r.close(); // another thread joined first
            } else if (!scopesRecorded) {
                joinScopes(tree, false); // the recording stopped meanwhile
            }
        } else if (!join) {
            Registration r = scopeListener.getAndSet(null);
            if (r != null) {
                r.close();
            }
        }
    }

    // ------------------------------------------------------------------ contexts

    @Override
    public Object contextStarted(Context context, Object parentAttachment) {
        if (START.isEnabled()) {
            JfrEvents.ContextStart e = new JfrEvents.ContextStart();
            if (e.shouldCommit()) {
                fillStart(e, context, false);
                e.commit();
            }
        }
        if (END.isEnabled()) {
            JfrEvents.ContextEnd e = new JfrEvents.ContextEnd();
            e.begin(); // the event then spans the lifetime, timed by JFR's own clock: no clock read of ours
            return e;
        }
        return null;
    }

    /** Without {@code map}: no boxed id and no second {@code Optional} per event. */
    private static long parentId(Context context) {
        Context parent = context.parent().orElse(null);
        return parent == null ? 0L : parent.id();
    }

    private static void fillStart(JfrEvents.ContextStart e, Context context, boolean existing) {
        e.contextId = context.id();
        e.parentId = parentId(context);
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

    /**
     * A recording just started: the deadlocks already there, so a recording started to look into a stuck JVM names
     * them. Those the watchdog finds (among named locks, or through a wait for one) were reported once, when it
     * found them (one that formed within its last period may be reported again when it finds it); those among
     * monitors and JDK locks alone, which the JVM finds and every tree lists, only here, once.
     */
    private static void emitExistingDeadlocks() {
        if (!DEADLOCK.isEnabled()) {
            return;
        }
        Set<String> committed = new HashSet<>();
        for (ContextTree tree : trees()) {
            for (Deadlock d : tree.deadlocks()) {
                if (committed.add(d.source() + ' ' + d.describe())) {
                    commitDeadlock(d, true);
                }
            }
        }
    }

    @Override
    public void contextEnded(Context context, Object attachment, ContextState outcome, Throwable failure) {
        JfrEvents.ContextEnd e;
        if (attachment instanceof JfrEvents.ContextEnd begun) {
            e = begun;
        } else if (END.isEnabled()) {
            e = new JfrEvents.ContextEnd(); // created before the recording: the event covers only its end
            e.begin();
        } else {
            return;
        }
        e.end();
        if (e.shouldCommit()) {
            e.contextId = context.id();
            e.parentId = parentId(context);
            e.name = context.name();
            e.path = context.path();
            e.outcome = OUTCOMES[outcome.ordinal()];
            Cancellation c = context.cancellation().orElse(null);
            e.message = outcome == ContextState.CANCELLED && c != null ? c.reason()
                    : failure != null ? context.withoutSecrets(failure.getMessage()) : null;
            e.exceptionClass = failure == null ? null : failure.getClass().getName();
            e.lifetime = context.duration().toNanos();
            e.existing = attachment != e;
            e.commit();
        }
    }

    @Override
    public void contextCancelled(Context context, Cancellation cancellation, int subtreeSize) {
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

    /** Holds are heard of only while a recording has {@code dev.canopy.LockHold} enabled. */
    @Override
    public boolean wantsLockHolds() {
        return HOLD.isEnabled();
    }

    @Override
    public Object lockHoldStarted(LockView lock, Context holder, LockMode mode) {
        if (!HOLD.isEnabled()) {
            return null;
        }
        SpareHold spare = SPARE_HOLD.get();
        JfrEvents.LockHold e = spare.event;
        if (e != null) {
            spare.event = null;
        } else {
            e = new JfrEvents.LockHold();
            e.spare = spare;
        }
        e.begin(); // begin and end set the whole timing again: an event committed before is reused as new
        return e;
    }

    @Override
    public void lockHoldEnded(LockView lock, Context holder, LockMode mode, Object attachment) {
        if (!(attachment instanceof JfrEvents.LockHold e)) {
            return;
        }
        e.end();
        if (e.shouldCommit()) {
            e.lockName = lock.name();
            e.lockKind = lock.kind().name();
            e.mode = mode.name();
            e.contextId = holder.id();
            e.path = holder.path();
            e.commit();
            e.lockName = null; // kept as the spare: it must not pin what it recorded
            e.path = null;
        }
        SpareHold spare = e.spare;
        if (spare.thread == Thread.currentThread()) {
            // the thread that began it; a hold another thread ended (a semaphore's permits released across threads)
            // leaves its event to the collector rather than write to that thread's spare unordered
            spare.event = e;
        }
    }

    @Override
    public Object lockWaitStarted(LockView lock, Context waiter, LockMode mode, int permits) {
        if (!WAIT.isEnabled()) {
            return null;
        }
        JfrEvents.LockWait e = new JfrEvents.LockWait();
        // who held it when the wait began: captured now, and only while recording
        StringBuilder holders = new StringBuilder();
        for (LockHolder h : lock.snapshot().holders()) {
            if (holders.length() > 0) {
                holders.append(", ");
            }
            holders.append(h.contextPath());
        }
        e.holders = holders.toString();
        e.begin();
        return e;
    }

    @Override
    public void lockWaitEnded(LockView lock, Context waiter, LockMode mode, int permits, Object attachment,
                              boolean acquired) {
        if (!(attachment instanceof JfrEvents.LockWait e)) {
            return;
        }
        e.end();
        if (e.shouldCommit()) {
            e.lockName = lock.name();
            e.lockKind = lock.kind().name();
            e.mode = mode.name();
            e.permits = permits;
            e.contextId = waiter.id();
            e.path = waiter.path();
            e.acquired = acquired;
            e.commit();
        }
    }

    @Override
    public void contextLeaked(LeakedContext leak) {
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

    @Override
    public void deadlockFound(Deadlock deadlock) {
        if (DEADLOCK.isEnabled()) {
            commitDeadlock(deadlock, false);
        }
    }

    private static void commitDeadlock(Deadlock deadlock, boolean existing) {
        JfrEvents.Deadlock e = new JfrEvents.Deadlock();
        if (e.shouldCommit()) {
            e.cycle = deadlock.describe();
            e.contexts = deadlock.size();
            e.existing = existing;
            e.source = deadlock.source();
            e.commit();
        }
    }

    // ------------------------------------------------------------------ periodic

    /** The hook of {@link JfrEvents.ChunkBoundary}: runs on JFR's thread as a chunk begins or ends. */
    static void emitAtChunkBoundary() {
        emitCounters();
        emitStatistics();
    }

    /**
     * The hook of {@link JfrEvents.LockHoldInProgress}, at every chunk boundary: the holds a recording would otherwise
     * miss, those still in progress when it is stopped or dumped (and those begun before it started).
     */
    static void emitHoldsInProgress() {
        if (!HOLD_IN_PROGRESS.isEnabled()) {
            return;
        }
        for (ContextTree tree : trees()) {
            for (LockView lock : tree.namedLocks()) {
                for (LockHolder h : lock.snapshot().holders()) {
                    JfrEvents.LockHoldInProgress e = new JfrEvents.LockHoldInProgress();
                    e.lockName = h.lockName();
                    e.lockKind = h.kind().name();
                    e.mode = h.mode().name();
                    e.count = h.count();
                    e.contextId = h.contextId();
                    e.path = h.contextPath();
                    e.holderThread = h.thread();
                    e.since = h.since().toEpochMilli();
                    e.heldFor = h.held().toNanos();
                    e.commit();
                }
            }
        }
    }

    /** The hook of {@link JfrEvents.LockWaitInProgress}, at every chunk boundary, as {@link #emitHoldsInProgress}. */
    static void emitWaitsInProgress() {
        if (!WAIT_IN_PROGRESS.isEnabled()) {
            return;
        }
        for (ContextTree tree : trees()) {
            for (LockView lock : tree.namedLocks()) {
                if (lock.waiterCount() == 0) {
                    continue; // no snapshot of a lock nobody waits for
                }
                LockSnapshot snapshot = lock.snapshot();
                String holders = snapshot.holders().stream().map(LockHolder::contextPath)
                        .collect(java.util.stream.Collectors.joining(", "));
                for (LockWaiter w : snapshot.waiters()) {
                    JfrEvents.LockWaitInProgress e = new JfrEvents.LockWaitInProgress();
                    e.lockName = w.lockName();
                    e.lockKind = w.kind().name();
                    e.mode = w.mode().name();
                    e.permits = w.permits();
                    e.contextId = w.contextId();
                    e.path = w.contextPath();
                    e.waiterThread = w.thread();
                    e.since = w.since().toEpochMilli();
                    e.waitedFor = w.waiting().toNanos();
                    e.holders = holders;
                    e.commit();
                }
            }
        }
    }

    /**
     * The hook of {@link JfrEvents.Warning}, at every chunk boundary: the warnings status would show now, most severe
     * first, at most {@link #MAX_WARNINGS_PER_BOUNDARY} per tree.
     */
    static void emitWarnings() {
        if (!WARNING.isEnabled()) {
            return;
        }
        for (ContextTree tree : trees()) {
            List<Warning> warnings = tree.warnings();
            for (Warning w : warnings.subList(0, Math.min(warnings.size(), MAX_WARNINGS_PER_BOUNDARY))) {
                JfrEvents.Warning e = new JfrEvents.Warning();
                e.severity = w.severity().name();
                e.kind = w.kind().name();
                e.message = w.message();
                e.path = w.contextPath();
                e.lockName = w.lockName();
                e.lasted = w.duration() == null ? 0 : w.duration().toNanos();
                e.commit();
            }
        }
    }

    private static void emitCounters() {
        if (!COUNTER.isEnabled()) {
            return; // called at chunk boundaries whether or not counters are recorded
        }
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
        if (!STATISTICS.isEnabled()) {
            return;
        }
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
            List<LockView> locks = tree.namedLocks();
            e.namedLocks = locks.size();
            e.waiters = locks.stream().mapToInt(LockView::waiterCount).sum();
            e.counterKeys = tree.counters().size();
            e.commit();
        }
    }

    /** A thread's spare hold event, or null while its hold event is in use. */
    static final class SpareHold {
        final Thread thread = Thread.currentThread();
        JfrEvents.LockHold event;
    }
}
