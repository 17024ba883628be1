package dev.canopy;

import dev.canopy.internal.Names;
import dev.canopy.status.CompletedContext;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;

/**
 * A named unit of work in a tree: {@code global → service → session → task}.
 *
 * <p>A context is created by {@link ContextBuilder#open()} (ended by {@link #close()}) or by a spawn method (ended
 * when its task returns). It carries timing, cancellation that reaches its whole subtree, an optional deadline,
 * data and metrics. All methods are thread-safe.
 *
 * <h2>Ending</h2>
 * When a context ends (closed, failed, or its task returned) while children or tasks spawned on it still run, those
 * are cancelled with a reason naming this context; the context then stays in its parent's {@link #children()}, with
 * its final {@link #state()}, until the last of them has ended, so nothing that still runs is hidden. After that it
 * {@link #isEnded() has ended} and nothing in the tree references it.
 *
 * <h2>Concurrency design</h2>
 * Any thread may create children, spawn, cancel or end a context at any time; nothing here blocks (the child
 * set's stripe locks guard a few plain writes). Five rules keep the tree consistent (the layers below
 * {@code Context} hold state that needs none of them):
 * <ol>
 *   <li><b>The end claim.</b> {@code cancellation} ({@link ContextCancellation}) is written once, by CAS: a
 *   {@link Cancellation} if a cancel comes first, the {@code ENDED} marker if the end does. That single CAS decides
 *   whether a context that is both cancelled and ended counts as CANCELLED, so a cancel can never slip in after a
 *   task's body returned, and an end never hides a cancel that happened. An end that finds the marker there
 *   does nothing; an end that finds a cancel claims the end with {@code phase OPEN → ENDING} instead. Either way
 *   exactly one end does the work, and a plain close costs one CAS to claim.</li>
 *   <li><b>Detach.</b> Once the outcome is written and no child or task runs under it, {@code phase} moves to
 *   {@code DETACHED} by CAS (from OPEN, or from ENDING): it has left its parent's child set. Only the thread that
 *   wins does it, so it happens exactly once, whether the ending thread or the last child or task gets
 *   there.</li>
 *   <li><b>Attach/end and attach/cancel handshakes.</b> A child is put into the parent's child set and then
 *   the parent's end claim and {@code cancellation} are read; {@code end()} writes its claim and then reads the
 *   child set; a cancel writes {@code cancellation} and then walks the child set. Each side writes before it
 *   reads what the other writes (the child set's stripe locks order them), so whichever comes second sees the
 *   first: a child created during its parent's end is refused or cancelled, never orphaned; one created during a
 *   cancel starts cancelled. Tasks, cancel callbacks and the task's own future follow the same write-then-read
 *   order.</li>
 *   <li><b>Weak links.</b> A parent holds a child made by {@code open()} through a {@link ChildLink}, a weak
 *   reference: a context its owner dropped without closing is collected, and {@link LeakDetector} reports it,
 *   gives back its live counts and removes it from its parent. The link keeps what that clean-up needs (the
 *   path, the counters, the child set), never the context. A task's context is held strongly by its task.</li>
 * </ol>
 * Cancelling walks the subtree with an explicit stack, never recursion, so no depth can overflow a thread's stack;
 * a child already cancelled stops the walk below it, as whoever cancelled it walked its subtree.
 *
 * <p>Listeners ({@link dev.canopy.spi.TreeListener}) are told after the fact: a context keeps the listener chain it
 * was created under and what those listeners attached to it, both written before the context is handed to the
 * code that opened it, so its end reaches the same listeners with their own attachments.
 */
public final class Context extends ContextCancellation implements AutoCloseable {
    static final int MAX_REASON_CHARS = 1_000;

    private static final int OPEN = 0;
    private static final int ENDING = 1;
    private static final int DETACHED = 2;

    private static final VarHandle PHASE;
    private static final VarHandle CHILDREN;
    private static final VarHandle OUTCOME;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PHASE = lookup.findVarHandle(Context.class, "phase", int.class);
            CHILDREN = lookup.findVarHandle(Context.class, "children", ChildSet.class);
            OUTCOME = lookup.findVarHandle(Context.class, "outcome", ContextState.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Context parent;
    private final String name;
    /** 0 for the root. */
    final int depth;
    private final long id;
    private final long createdNanos;
    private final boolean ownedByTask;

    /** Built on first use: most contexts never have their path asked for. Racy but idempotent. */
    private String path;
    private volatile int phase;
    /** Set when the context ends; {@link #endedNanos} is written before it. */
    private volatile ContextState outcome;
    private long endedNanos;
    private volatile boolean persisted;
    /**
     * Live children, allocated with the first one. Each is there as itself, or as its weak {@link ChildLink} when
     * leak detection watches it.
     */
    private volatile ChildSet children;
    /** The stripe of its parent's {@link ChildSet} this context joins: the creating thread's, fixed per thread. */
    final byte stripe;
    /**
     * Its neighbours in that stripe's list while the parent holds it strongly (a weakly held child is linked through
     * its {@link ChildLink} instead); guarded by the stripe's lock.
     */
    Object prevSibling;
    Object nextSibling;
    /**
     * The task this context was spawned for, if any: written before the context is linked into its parent, so
     * whoever finds the context (a cancel walking the tree, a deadline) sees it without a volatile read.
     */
    TaskImpl<?> ownTask;
    /**
     * The listeners this context was created under, which its end reaches too, with what they attached to it (a
     * JFR event begun, a span): one field, see {@link ListenerChain#keep}. Null when no listener wanted contexts.
     */
    Object listenerState;

    Context(ContextTree tree, Context parent, String name, long createdNanos, long deadlineNanos,
            boolean ownedByTask, Executor executor, ThreadIds ids) {
        super(tree, createdNanos, deadlineNanos, executor);
        this.parent = parent;
        this.name = name;
        this.depth = parent == null ? 0 : parent.depth + 1;
        this.id = ids.next();
        this.stripe = ids.stripe;
        this.createdNanos = createdNanos;
        this.ownedByTask = ownedByTask;
    }

    // ------------------------------------------------------------------ identity and timing

    /** The name given at creation. */
    public String name() {
        return name;
    }

    /** The dotted path from the root, e.g. {@code global.remote-access.alice@bv478gen}. */
    @Override
    public String path() {
        String p = path;
        if (p == null) {
            p = buildPath();
        }
        return p;
    }

    private String buildPath() {
        Context up = parent;
        if (up == null || up.path != null) { // the usual case, a child of a context whose path is known
            String p = up == null ? name : up.path + '.' + name;
            path = p;
            return p;
        }
        // iterative, so a tree thousands of levels deep cannot overflow the stack
        ArrayDeque<Context> chain = new ArrayDeque<>();
        Context c = this;
        while (c != null && c.path == null) {
            chain.push(c);
            c = c.parent;
        }
        String prefix = c == null ? null : c.path;
        while (!chain.isEmpty()) {
            Context next = chain.pop();
            prefix = prefix == null ? next.name : prefix + '.' + next.name;
            next.path = prefix;
        }
        return prefix;
    }

    /** Unique among all contexts of this JVM; increases with creation order on each thread. */
    public long id() {
        return id;
    }

    /** The parent, or empty for the root. */
    public Optional<Context> parent() {
        return Optional.ofNullable(parent);
    }

    Context parentOrNull() {
        return parent;
    }

    /** The tree this context belongs to. */
    public ContextTree tree() {
        return tree;
    }

    /**
     * The children that have not ended yet, oldest first. A child that completed but still waits for its own
     * children is included (its {@link #state()} says how it ended).
     */
    public List<Context> children() {
        ChildSet set = children;
        if (set == null || set.isEmpty()) {
            return List.of();
        }
        List<Context> list = new ArrayList<>(set.size());
        set.forEachKey(key -> {
            Context c = deref(key);
            if (c != null && c.phase != DETACHED) {
                list.add(c);
            }
        });
        // ids come in per-thread blocks, so creation order across threads is the creation time's
        list.sort(Comparator.comparingLong(Context::createdNanos).thenComparingLong(Context::id));
        return Collections.unmodifiableList(list);
    }

    /** Visits the live children without building a list (for background scans). */
    void forEachChild(java.util.function.Consumer<Context> action) {
        ChildSet set = children;
        if (set != null && !set.isEmpty()) {
            set.forEachKey(key -> {
                Context c = deref(key);
                if (c != null && c.phase != DETACHED) {
                    action.accept(c);
                }
            });
        }
    }

    /** A member of a child set as a context: null when a weakly held child was collected (a leak being processed). */
    private static Context deref(Object key) {
        return key instanceof ChildLink l ? l.get() : (Context) key;
    }

    private Object key() {
        ChildLink l = link;
        return l != null ? l : this;
    }

    long createdNanos() {
        return createdNanos;
    }

    /** When the context was created (to the millisecond, as {@link #duration()}). */
    public Instant createdAt() {
        return tree.instantAt(createdNanos);
    }

    /**
     * How long the context has existed, or existed until it ended: to the millisecond, unless its tree was built
     * with {@link ContextTree.Builder#preciseContextTiming()}.
     */
    public Duration duration() {
        long end = outcome != null ? endedNanos : tree.contextNanos();
        return Duration.ofNanos(Math.max(0, end - createdNanos));
    }

    /** Active, or how it ended; {@link ContextState#CANCELLED} as soon as a cancel reached it. */
    public ContextState state() {
        ContextState o = outcome;
        if (o != null) {
            return o;
        }
        Cancellation c = cancellation;
        return c != null && c != ENDED ? ContextState.CANCELLED : ContextState.ACTIVE;
    }

    /**
     * Whether an end has been claimed (its outcome may not be written yet): new children and tasks are refused. The
     * claim is the end marker, or phase ENDING for a context that was cancelled first.
     */
    boolean endClaimed() {
        return cancellation == ENDED || phase != OPEN;
    }

    /** Whether the context's outcome is fixed (it may still wait for children or tasks before leaving the tree). */
    boolean hasOutcome() {
        return outcome != null;
    }

    /**
     * Whether the context has ended and left the live tree. A context that was closed or cancelled but still waits
     * for its children or tasks is not ended yet; a status snapshot shows it with {@code ended} true, as its outcome
     * is already fixed.
     */
    @Override
    public boolean isEnded() {
        return phase == DETACHED;
    }

    /** The failure it ended with ({@link ContextState#FAILED}, or cancelled while its task threw). */
    public Optional<Throwable> failure() {
        ContextExtras x = extras;
        return Optional.ofNullable(x == null ? null : x.failure);
    }

    /**
     * {@code text} as it may leave the process: every value of a secret ({@link #setSecret}, redacted keys)
     * replaced by {@code <redacted>}, whether this context, an ancestor or any other context still in the tree
     * stores it (a request's failure may quote the password its pool's context keeps); values shorter than 4
     * characters are not searched for. Values of a redacted key that a {@link LiveData} source gives are searched
     * for when this context or an ancestor has the source. Failure messages and cancel reasons pass through it before
     * status, JFR and exported spans show them, since an exception often quotes the value it refused. The secrets of
     * a context that has left the tree, and those of other trees, are not searched for.
     */
    public String withoutSecrets(String text) {
        return SecretTexts.without(this, text);
    }

    // ------------------------------------------------------------------ children and tasks

    /** Starts describing a child; {@link ContextBuilder#open()} or {@link ContextBuilder#spawn} creates it. */
    public ContextBuilder child(String name) {
        return new ContextBuilder(this, Names.checkName("context name", name));
    }

    /** Runs {@code body} in a new child context named {@code name}, which ends when the body returns or throws. */
    public <T> Task<T> spawnChild(String name, ContextTask<T> body) {
        return ContextBuilder.spawnNamed(this, Names.checkName("context name", name), body);
    }

    /** Runs {@code runnable} with this context current, without creating a child. */
    public Task<Void> spawn(Runnable runnable) {
        Objects.requireNonNull(runnable, "runnable");
        return spawn(Executors.callable(runnable, (Void) null));
    }

    /** Runs {@code callable} with this context current, without creating a child. */
    public <T> Task<T> spawn(Callable<T> callable) {
        Objects.requireNonNull(callable, "callable");
        if (endClaimed()) {
            throw new IllegalStateException("cannot spawn on context " + path() + ": it has " + describeEnd());
        }
        TaskImpl<T> task = new TaskImpl<>(this, callable);
        attachTask(task);
        execute(task);
        return task;
    }

    void execute(TaskImpl<?> task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            task.rejected(e);
            throw e;
        }
    }

    // ------------------------------------------------------------------ cancellation

    /** Cancels this context and its whole subtree, with the reason "cancelled". Only the first cancel counts. */
    public void cancel() {
        cancel("cancelled");
    }

    /**
     * Cancels this context and its whole subtree. Tasks running in them are interrupted, {@link #cancelled()}
     * futures complete and {@link #onCancel} callbacks run, on the calling thread. Only the first cancel counts.
     * The reason is kept {@linkplain #withoutSecrets without the values of secrets}, since it is shown wherever the
     * cancellation is (status, JMX, JFR, exported spans, the {@code CancellationException} a task sees), and cut to
     * 1,000 characters.
     */
    public void cancel(String reason) {
        Objects.requireNonNull(reason, "reason");
        if (cancellation != null) {
            return; // cancelled already, or ended
        }
        reason = withoutSecrets(reason); // before the cut, so no secret is cut in two and half of it kept
        if (reason.length() > MAX_REASON_CHARS) {
            // a reason is for people: keep it bounded wherever it goes (status, JMX, JFR)
            reason = reason.substring(0, MAX_REASON_CHARS) + "…(" + reason.length() + " chars)";
        }
        cancelAndRecord(new Cancellation(reason, path(), tree.instantAt(tree.clock.nanoTime())));
    }

    private void cancelAndRecord(Cancellation c) {
        int cancelled = cancelSubtree(c);
        ListenerChain lc = tree.listeners();
        if (cancelled > 0 && lc.wantsCancels) {
            lc.contextCancelled(this, c, cancelled);
        }
    }

    /** Cancels the subtree with a shared cancellation; returns how many contexts it newly cancelled. */
    int cancelSubtree(Cancellation c) {
        if (!cancelOne(c)) {
            return 0;
        }
        int count = 1;
        ChildSet kids = children;
        // isEmpty() takes each stripe's lock after the CAS above, and attachChild reads cancellation after taking
        // it: the lock orders the two, so a child added concurrently is either seen here or starts cancelled
        if (kids == null || kids.isEmpty()) {
            return count;
        }
        // explicit stack: subtrees may be far deeper than the thread stack allows recursion
        ArrayDeque<Context> pending = new ArrayDeque<>();
        pushChildren(kids, pending);
        while (!pending.isEmpty()) {
            Context next = pending.pop();
            if (next.cancelOne(c)) {
                count++;
                ChildSet grandChildren = next.children;
                if (grandChildren != null && !grandChildren.isEmpty()) {
                    pushChildren(grandChildren, pending);
                }
            }
            // a child already cancelled (or ended) had its own subtree dealt with by whoever did that
        }
        return count;
    }

    private static void pushChildren(ChildSet kids, ArrayDeque<Context> pending) {
        kids.forEachKey(key -> {
            Context child = deref(key);
            if (child != null) {
                pending.push(child);
            }
        });
    }

    private boolean cancelOne(Cancellation c) {
        if (!claimForCancel(c)) {
            return false;
        }
        // Written before read, mirrored by every registration path (write, then read `cancellation`):
        // whichever side comes second sees the other, so no callback, task or child escapes.
        // The task's future is cancelled first: a callback's interrupt could otherwise let the body fail the
        // future with the exception it throws on being woken, before the cancel reached it.
        TaskImpl<?> task = ownTask;
        if (task != null) {
            task.cancelFromContext();
        }
        ContextExtras x = extras;
        if (x != null) {
            x.onCancel();
        }
        return true;
    }

    // ------------------------------------------------------------------ ending

    /**
     * Marks this context so that its final snapshot is kept in the tree's
     * {@link ContextTree#recentCompletions() recent completions} when it ends.
     */
    public Context persist() {
        persisted = true;
        return this;
    }

    /** Whether {@link #persist()} was called. */
    public boolean isPersisted() {
        return persisted;
    }

    /**
     * Completes a context made by {@link ContextBuilder#open()}; a second close, or a close after
     * {@link #fail(Throwable)}, does nothing. Children still running are cancelled (see the class comment).
     *
     * @throws IllegalStateException         on a context that belongs to a task: it ends when the task returns
     *                                       (use {@link #cancel()} to stop it)
     * @throws UnsupportedOperationException on the root, which ends with {@link ContextTree#close()}
     */
    @Override
    public void close() {
        checkUserMayEnd("close");
        end(ContextState.COMPLETED, null);
    }

    /** Ends a context made by {@link ContextBuilder#open()} as failed, keeping {@code cause}. */
    public void fail(Throwable cause) {
        Objects.requireNonNull(cause, "cause");
        checkUserMayEnd("fail");
        end(ContextState.FAILED, cause);
    }

    private void checkUserMayEnd(String operation) {
        if (parent == null) {
            throw new UnsupportedOperationException("cannot " + operation + " the root context " + name
                    + ": it ends with its tree (ContextTree.close())");
        }
        if (ownedByTask) {
            throw new IllegalStateException("cannot " + operation + " context " + path()
                    + ": it belongs to a task and ends when the task returns; use cancel() to stop it");
        }
    }

    /** Ends the context; returns false if it had already ended. */
    boolean end(ContextState requested, Throwable failure) {
        // One CAS claims the end: the end marker goes in first (no cancel can follow, no other end can succeed),
        // or a cancel was there first, and then phase OPEN -> ENDING decides which end is the one.
        // ended already: a read instead of a CAS that could only fail (a task's context is ended when its body
        // completes, and again, as a no-op, when run() returns)
        if (cancellation == ENDED) {
            return false;
        }
        boolean cancelledFirst = !claimForEnd();
        if (cancelledFirst && (cancellation == ENDED || !PHASE.compareAndSet(this, OPEN, ENDING))) {
            return false;
        }
        endedNanos = tree.contextNanos();
        if (failure != null) {
            extras().failure = failure;
        }
        ContextState o = cancelledFirst ? ContextState.CANCELLED : requested;
        // A release store publishes endedNanos and the failure with it. A detacher reads the outcome after taking
        // a child set's lock that this thread takes after it (tryDetach), so the lock orders the two; a task's
        // detach meets this thread in a concurrent set instead, which needs the full fence.
        OUTCOME.setRelease(this, o);
        ContextExtras tasksOwner = extras;
        if (tasksOwner != null && tasksOwner.tasks != null) {
            VarHandle.fullFence();
        }
        ChildLink own = link;
        if (own != null) {
            own.outcome = o; // collected while waiting for its children: counted as this end, not as a leak
        }
        Object kept = listenerState;
        if (kept != null) {
            listenerState = null;
            ListenerChain.chainOf(kept).contextEnded(this, ListenerChain.attachmentOf(kept), o, failure);
        }
        if (!cancelledFirst) {
            ContextExtras x = extras;
            if (x != null && x.callbacks != null) {
                x.callbacks.clear(); // they can never fire now; let go of what they capture
            }
            cancelLeftovers(o);
        }
        tryDetach();
        return true;
    }

    /** Structured ending: what still runs under a context that ended normally is cancelled. */
    private void cancelLeftovers(ContextState o) {
        ChildSet kids = children;
        ContextExtras x = extras;
        Set<TaskImpl<?>> tasks = x == null ? null : x.tasks;
        boolean hasKids = kids != null && !kids.isEmpty();
        boolean hasTasks = tasks != null && !tasks.isEmpty();
        if (!hasKids && !hasTasks) {
            return;
        }
        String verb = o == ContextState.FAILED ? "failed" : "completed";
        Cancellation c = new Cancellation("parent " + path() + " " + verb, path(), tree.instantAt(endedNanos));
        if (hasKids) {
            kids.forEachKey(key -> {
                Context child = deref(key);
                if (child != null) {
                    child.cancelAndRecord(c);
                }
            });
        }
        if (hasTasks) {
            for (TaskImpl<?> t : tasks) {
                t.cancel(true);
            }
        }
    }

    /**
     * Leaves the tree once ended (its outcome written) with no children left, and lets an ending parent do the
     * same. Phase is OPEN here for a context that ended first, ENDING for one cancelled first.
     */
    private void tryDetach() {
        Context c = this;
        int p0;
        while (c != null && c.outcome != null && (p0 = c.phase) != DETACHED && c.childrenEmpty() && c.tasksEmpty()
                && PHASE.compareAndSet(c, p0, DETACHED)) {
            c.onDetached();
            Context p = c.parent;
            if (p != null) {
                ChildLink l = c.link;
                if (l != null) {
                    l.ended = true;
                    l.clear(); // nothing left to watch for
                }
                p.children.remove(c.key(), c.stripe);
                java.lang.ref.Reference.reachabilityFence(c); // not collectable before its link says it ended
            }
            c = p;
        }
    }

    private void onDetached() {
        ContextState o = outcome;
        giveBackLiveCounts();
        tree.recordEnd(this, o);
        ContextExtras x = extras;
        if (x != null) {
            ScheduledFuture<?> timer = x.deadlineTimer;
            if (timer != null) {
                timer.cancel(false);
            }
            ReadOnlyFuture<ContextState> ended = x.ended;
            if (ended != null) {
                completeEnded(ended, o);
            }
            if (x.indexedSecrets != null) {
                forgetSecrets(x); // after recordEnd: its own completion was cleaned of them
            }
        }
    }

    /**
     * Dependents of {@link #ended()} are user code; on a task's own thread they would run before the task's future
     * completes (a dependent that joins the task would wait forever), so they run on the executor.
     */
    private void completeEnded(ReadOnlyFuture<ContextState> ended, ContextState o) {
        if (ended.getNumberOfDependents() == 0) {
            ended.completeInternally(o);
            return;
        }
        try {
            executor.execute(() -> ended.completeInternally(o));
        } catch (RejectedExecutionException e) {
            ended.completeInternally(o);
        }
    }

    /**
     * A future completed with the final state once this context has ended and left the tree (read-only, the same
     * instance every time). Its dependents run on the context's executor.
     */
    public CompletableFuture<ContextState> ended() {
        ReadOnlyFuture<ContextState> f = extras().endedFuture();
        if (phase == DETACHED) {
            f.completeInternally(outcome);
        }
        return f;
    }

    CompletedContext snapshotCompleted() {
        ContextExtras x = extras;
        Throwable failure = x == null ? null : x.failure;
        Cancellation c = realCancellation();
        String message = outcome == ContextState.CANCELLED && c != null ? c.reason()
                : failure != null ? withoutSecrets(String.valueOf(failure.getMessage())) : null;
        return new CompletedContext(id, name, path(), outcome, createdAt(), tree.instantAt(endedNanos),
                duration(), message, failure == null ? null : failure.getClass().getName(), dataJson());
    }

    /** Why no child can be created under this context (it has ended, or its end is under way). */
    IllegalStateException childRefused(String childName) {
        return new IllegalStateException("cannot create child \"" + childName + "\" of " + path() + ": it has "
                + describeEnd());
    }

    private String describeEnd() {
        ContextState o = outcome;
        return o == null ? "ended" : o.name().toLowerCase(java.util.Locale.ROOT);
    }

    // ------------------------------------------------------------------ tree links

    private boolean childrenEmpty() {
        ChildSet kids = children;
        return kids == null || kids.isEmpty();
    }

    private boolean tasksEmpty() {
        ContextExtras x = extras;
        Set<TaskImpl<?>> tasks = x == null ? null : x.tasks;
        return tasks == null || tasks.isEmpty();
    }

    /** Links a new child; refuses (and unlinks) if this context has ended meanwhile. */
    void attachChild(Context child) {
        ChildSet kids = children;
        if (kids == null) {
            kids = new ChildSet();
            if (!CHILDREN.compareAndSet(this, null, kids)) {
                kids = children;
            } else if (link != null) {
                link.children = kids; // children leaked along with this context stay reachable through its link
            }
        }
        Object key = child.key();
        kids.add(key, child.stripe);
        // added under the stripe's lock, then phase read; end() writes phase, then locks to read: one sees the other
        if (endClaimed()) {
            kids.remove(key, child.stripe);
            tryDetach();
            IllegalStateException refused = childRefused(child.name);
            // the listeners heard it start (see ContextBuilder.create): they hear it end, though nobody got it
            child.cancel("refused: " + refused.getMessage());
            child.end(ContextState.COMPLETED, null); // ended as cancelled; a task-owned child's cancel ended it already
            throw refused;
        }
        Cancellation c = realCancellation();
        if (c != null) {
            child.cancelSubtree(c);
        }
    }

    /** Registers a task spawned on this context before it is handed to the executor, so no cancel misses it. */
    void attachTask(TaskImpl<?> task) {
        Set<TaskImpl<?>> tasks = extras().tasks();
        tasks.add(task);
        if (endClaimed()) {
            tasks.remove(task);
            tryDetach();
            throw new IllegalStateException("cannot spawn on context " + path() + ": it has " + describeEnd());
        }
        if (isCancelled()) {
            task.cancel(true);
        }
    }

    /** A task spawned on this context has finished: the context may now leave the tree, if it was waiting to. */
    void detachTask(TaskImpl<?> task) {
        ContextExtras x = extras;
        if (x != null && x.tasks != null && x.tasks.remove(task)) {
            tryDetach();
        }
    }

    void endByTask(Throwable failure) {
        end(failure == null ? ContextState.COMPLETED : ContextState.FAILED, failure);
    }

    boolean isOwnedByTask() {
        return ownedByTask;
    }

    /** A weakly held child was collected: it leaves the tree, and this context may now end. */
    void removeCollectedChild(ChildLink link) {
        ChildSet kids = children;
        if (kids != null && kids.remove(link, link.stripe)) {
            tryDetach();
        }
    }

    @Override
    Context self() {
        return this;
    }

    /**
     * Equality is identity; the hash comes from the id, so a set of contexts never has to install an identity hash
     * in the object header (a compare-and-swap per context).
     */
    @Override
    public int hashCode() {
        return Long.hashCode(id * 0x9E3779B97F4A7C15L);
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public String toString() {
        return "Context[" + path() + " #" + id + " " + state() + "]";
    }
}
