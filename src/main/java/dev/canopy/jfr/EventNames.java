package dev.canopy.jfr;

/**
 * The names of Canopy's JFR events and of the annotation that links them: the one place they are spelled.
 * They are public API: settings files ({@code canopy.jfc}), {@code jfr print --events} and recording readers depend
 * on them, so they never change.
 */
public final class EventNames {
    public static final String CONTEXT_START = "dev.canopy.ContextStart";
    public static final String CONTEXT_END = "dev.canopy.ContextEnd";
    public static final String CONTEXT_CANCEL = "dev.canopy.ContextCancel";
    public static final String CONTEXT_LEAK = "dev.canopy.ContextLeak";
    public static final String LOCK_WAIT = "dev.canopy.LockWait";
    public static final String LOCK_HOLD = "dev.canopy.LockHold";
    /**
     * A named-lock hold still in progress when a chunk began or ended (recording start, stop, dump, rotation):
     * {@link #LOCK_HOLD} is committed when a hold ends, so without it a recording taken while a lock is stuck would
     * not say who holds it.
     */
    public static final String LOCK_HOLD_IN_PROGRESS = "dev.canopy.LockHoldInProgress";
    /** A named-lock wait still in progress when a chunk began or ended, as {@link #LOCK_HOLD_IN_PROGRESS}. */
    public static final String LOCK_WAIT_IN_PROGRESS = "dev.canopy.LockWaitInProgress";
    public static final String DEADLOCK = "dev.canopy.Deadlock";
    /**
     * Each warning in effect when a chunk began or ended (recording start, stop, dump, rotation), as status shows
     * them: a stuck waiter, a lock held long, a context past its deadline or cancelled and still running.
     */
    public static final String WARNING = "dev.canopy.Warning";
    public static final String COUNTER = "dev.canopy.Counter";
    public static final String TREE_STATISTICS = "dev.canopy.TreeStatistics";
    /**
     * JDK 25 and later: a duration event around each scope in which a context is current (a {@code makeCurrent()}
     * scope, a wrapped call, a task's body), whose {@code contextId} and {@code path} are {@code @jdk.jfr.Contextual},
     * so tools show them as the context of every other event of the thread within it. Not registered before JDK 25.
     */
    public static final String CONTEXT_SCOPE = "dev.canopy.ContextScope";
    /**
     * Carries no data and is never committed: its periodic hook runs at the start and end of every chunk (recording
     * start, stop, dump, rotation) and emits {@link #COUNTER} and {@link #TREE_STATISTICS} there, so a recording
     * shorter than their period still carries their values. Disabling it turns those extra emissions off.
     */
    public static final String CHUNK_BOUNDARY = "dev.canopy.ChunkBoundary";
    /** The relational annotation on {@code contextId} and {@code parentId} fields. */
    public static final String CONTEXT_ID = "dev.canopy.ContextId";

    private EventNames() {
    }
}
