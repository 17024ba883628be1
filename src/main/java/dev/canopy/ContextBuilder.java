package dev.canopy;

import dev.canopy.internal.Names;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Describes a child context before it exists: {@code ctx.child("name").withData(...).withTimeout(...)}, then
 * {@link #open()} for a context you close yourself or {@link #spawn(ContextTask)} for one that ends with its task.
 * A builder may be used again to create siblings; timeouts count from each {@code open}/{@code spawn}.
 */
public final class ContextBuilder {
    private final Context parent;
    private final String name;
    private Map<String, JsonNode> data;
    private Map<String, MetricValue> metrics;
    private java.util.Set<String> secrets;
    private Duration timeout;
    private Instant deadline;
    private Executor executor;
    private boolean persist;
    private LiveData liveData;

    ContextBuilder(Context parent, String name) {
        this.parent = parent;
        this.name = name;
    }

    /** Initial data, converted to JSON now (see {@link Context#setData(String, Object)}). */
    public ContextBuilder withData(String key, Object value) {
        Names.checkKey("data key", key);
        if (data == null) {
            data = new LinkedHashMap<>();
        }
        data.put(key, Json.toNode(key, value));
        return this;
    }

    /**
     * Data read from {@code source} whenever the context is looked at, rather than copied now (see
     * {@link LiveData}). One source per context: a second call replaces the first.
     */
    public ContextBuilder withLiveData(LiveData source) {
        this.liveData = Objects.requireNonNull(source, "live data source");
        return this;
    }

    /** Initial secret data: see {@link Context#setSecret(String, Object)}. */
    public ContextBuilder withSecret(String key, Object value) {
        withData(key, value);
        if (secrets == null) {
            secrets = new java.util.HashSet<>();
        }
        secrets.add(key);
        return this;
    }

    /** An initial metric. */
    public ContextBuilder withMetric(String key, MetricValue value) {
        Names.checkKey("metric key", key);
        Objects.requireNonNull(value, "metric value");
        if (metrics == null) {
            metrics = new LinkedHashMap<>();
        }
        metrics.put(key, value);
        return this;
    }

    /**
     * Cancels the child {@code timeout} after it is created (never later than its parent's deadline). Zero means
     * it starts cancelled.
     */
    public ContextBuilder withTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        this.timeout = timeout;
        return this;
    }

    /** Cancels the child at {@code deadline} (or at its parent's deadline, if that is earlier). */
    public ContextBuilder withDeadline(Instant deadline) {
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        return this;
    }

    /** Runs the child's tasks (and, unless they say otherwise, its descendants') on {@code executor}. */
    public ContextBuilder withExecutor(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
        return this;
    }

    /** Keeps the child's final snapshot in the tree's recent completions (see {@link Context#persist()}). */
    public ContextBuilder persist() {
        this.persist = true;
        return this;
    }

    /**
     * Creates and starts the child; {@link Context#close()} completes it, best in {@code try}-with-resources.
     * Under a cancelled parent the child starts cancelled.
     *
     * @throws IllegalStateException if the parent has ended
     */
    public Context open() {
        return create(parent, name, timeout, deadline, executor, liveData, data, secrets, metrics, persist, null);
    }

    /**
     * Creates the child and runs {@code body} in it on the executor; the child ends when the body returns
     * (completed), throws (failed) or after it was cancelled (cancelled).
     *
     * @throws IllegalStateException if the parent has ended
     * @throws java.util.concurrent.RejectedExecutionException if the executor refuses the task (the child then
     *                                                          ends as failed)
     */
    public <T> Task<T> spawn(ContextTask<T> body) {
        Objects.requireNonNull(body, "body");
        return start(create(parent, name, timeout, deadline, executor, liveData, data, secrets, metrics, persist,
                body));
    }

    /**
     * {@link Context#spawnChild}: a child with nothing but a name, made without a builder (which the JIT does not
     * always manage to leave unallocated on this path).
     */
    static <T> Task<T> spawnNamed(Context parent, String name, ContextTask<T> body) {
        Objects.requireNonNull(body, "body");
        return start(create(parent, name, null, null, null, null, null, null, null, false, body));
    }

    /** Submits the task of a new task-owned child, unless a cancel came first (it then ended the child already). */
    @SuppressWarnings("unchecked") // the task create() made for this child from a ContextTask<T>
    private static <T> Task<T> start(Context child) {
        TaskImpl<T> task = (TaskImpl<T>) child.ownTask;
        // a cancel since the child was linked (its parent's, a deadline) found the task there and cancelled it
        if (!child.isCancelled()) {
            child.execute(task);
        }
        return task;
    }

    /**
     * Static, and given the builder's fields rather than the builder: the builder then never escapes
     * {@code parent.child(name).open()}, and the JIT need not allocate it at all.
     */
    private static Context create(Context parent, String name, Duration timeout, Instant deadline, Executor executor,
            LiveData liveData, Map<String, JsonNode> data, java.util.Set<String> secrets,
            Map<String, MetricValue> metrics, boolean persist, ContextTask<?> taskBody) {
        ContextTree tree = parent.tree;
        if (parent.depth >= tree.maxDepth()) {
            throw new IllegalStateException(String.format("cannot create child \"%s\" of \"%s\": the tree would be "
                    + "%,d levels deep, the limit is %,d (a recursion bug? ContextTree.Builder.maxDepth changes it)",
                    name, parent.name(), parent.depth + 1, tree.maxDepth()));
        }
        // a deadline counts from the precise clock; otherwise the context's own clock (see ContextTree.contextNanos)
        long now = timeout != null || deadline != null ? tree.clock.nanoTime() : tree.contextNanos();
        long own = Context.NO_DEADLINE;
        if (timeout != null) {
            own = saturatedAdd(now, timeout);
        }
        if (deadline != null) {
            own = Math.min(own, tree.nanosAt(deadline));
        }
        long inherited = parent.deadlineNanos();
        long effective = Math.min(own, inherited);
        Executor exec = executor != null ? executor : parent.executor;
        ThreadIds ids = ThreadIds.current();
        Context child = new Context(tree, parent, name, now, effective, taskBody != null, exec, ids);
        if (taskBody != null) {
            // before the child is linked into its parent, which publishes it: a cancel that finds the child finds
            // its task. (Stored after the link, it needed a full fence before reading the child's cancellation.)
            child.ownTask = new TaskImpl<>(child, taskBody);
        } else if (tree.leaks().watch()) {
            // held weakly by the tree: if its owner drops it unclosed, it is collected and reported as a leak
            child.link = new ChildLink(child, parent, tree.leaks().creationSite());
            LeakDetector.start();
        }
        if (liveData != null) {
            child.setLiveData(liveData);
        }
        if (data != null) {
            data.forEach((k, v) -> child.putDataNode(k, v.deepCopy()));
        }
        if (secrets != null) {
            secrets.forEach(child::markSecret);
        }
        if (metrics != null) {
            metrics.forEach(child::addMetric);
        }
        if (persist) {
            child.persist();
        }
        if (parent.endClaimed()) {
            throw parent.childRefused(name); // before the listeners hear of it, when the parent ended long ago
        }
        // Counted and announced before it is linked: from the link on, a cancel that finds a task-owned child ends
        // it at once (its task is there), and its end must not come before its start.
        tree.recordCreated(ids);
        ListenerChain lc = tree.listeners();
        if (lc.wantsContexts) {
            child.listenerState = ListenerChain.keep(lc, lc.contextStarted(child));
        }
        parent.attachChild(child);
        if (data != null) {
            child.indexSecretData(); // once in the tree, whose end takes them out again
        }
        if (own < inherited) {
            child.scheduleDeadline();
        }
        parent.touchAt(now);
        return child;
    }

    private static long saturatedAdd(long nanos, Duration d) {
        long add;
        try {
            add = d.toNanos();
        } catch (ArithmeticException e) {
            return Context.NO_DEADLINE;
        }
        long sum = nanos + add;
        return ((nanos ^ sum) & (add ^ sum)) < 0 ? Context.NO_DEADLINE : sum;
    }
}
