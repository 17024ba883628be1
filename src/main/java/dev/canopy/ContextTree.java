package dev.canopy;

import dev.canopy.spi.LockView;

import dev.canopy.spi.ListenerProvider;
import dev.canopy.spi.TreeListener;

import dev.canopy.internal.Names;
import dev.canopy.status.CompletedContext;
import dev.canopy.status.Deadlock;
import dev.canopy.status.LeakedContext;
import dev.canopy.status.LockSnapshot;
import dev.canopy.status.Status;
import dev.canopy.status.TreeStatistics;
import dev.canopy.status.Warning;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One tree of contexts with its own root, clock, executor and recent completions. {@link Canopy} holds the
 * application's default tree; tests create their own, which share nothing with it:
 * <pre>{@code
 * try (ContextTree tree = ContextTree.builder().clock(fakeClock).build()) {
 *     Context root = tree.root();
 * }
 * }</pre>
 */
public final class ContextTree implements AutoCloseable {
    /** By default one in this many contexts made by {@code open()} is watched for leaks. */
    public static final int DEFAULT_LEAK_DETECTION = 128;

    static {
        // lets `canopy list` tell, by the Attach API alone, which JVMs have Canopy loaded
        try {
            System.setProperty("dev.canopy.version", String.valueOf(ContextTree.class.getPackage().getImplementationVersion()));
        } catch (SecurityException ignored) {
            // a locked-down JVM: `canopy list` shows "?" for it
        }
    }

    final CanopyClock clock;
    private final long startNanos;
    private final long startWallMillis;
    private final Executor executor;
    private final boolean virtualThreads;
    private final RecentCompletions recent;
    private final TreeLeaks leaks;
    /** Contexts created and ended, by outcome. */
    private final TreeCounts contextCounts = new TreeCounts();
    private final AtomicBoolean hookInstalled = new AtomicBoolean();
    /** Guarded by this. */
    private boolean closed;
    private final Counters counters;
    private final LockRegistry lockRegistry;
    private final WarningThresholds warningThresholds;
    private final SystemMetricsSampler systemMetrics;
    private final java.util.Set<String> redactedKeys;
    /** The stored secrets of the tree's contexts, searched for in every failure message and cancel reason. */
    private final SecretIndex secretIndex = new SecretIndex();
    private final int maxDepth;
    private final boolean preciseContextTiming;
    private final Context root;
    /** Replaced whole when a listener joins or leaves; contexts keep the chain they were created under. */
    private volatile ListenerChain listeners;

    private ContextTree(Builder b) {
        this.clock = b.clock;
        this.startNanos = clock.nanoTime();
        this.startWallMillis = clock.currentTimeMillis();
        if (b.executor != null) {
            this.executor = b.executor;
            this.virtualThreads = false;
        } else {
            ExecutorService shared = DefaultExecutors.shared();
            this.executor = shared;
            this.virtualThreads = DefaultExecutors.isVirtual(shared);
        }
        this.recent = new RecentCompletions(b.recentCompletions);
        this.counters = new Counters(this, b.maxCounterKeys);
        this.lockRegistry = new LockRegistry(this, b.deadlockCheckPeriod);
        this.warningThresholds = b.warningThresholds;
        this.systemMetrics = new SystemMetricsSampler(b.systemProbe);
        this.redactedKeys = java.util.Set.copyOf(b.redactedKeys);
        this.maxDepth = b.maxDepth;
        this.preciseContextTiming = b.preciseContextTiming;
        this.leaks = new TreeLeaks(this, b.leakDetection, b.creationSiteSampleRate);
        ThreadIds ids = ThreadIds.current();
        this.root = new Context(this, null, b.rootName, startNanos, Context.NO_DEADLINE, false, executor, ids);
        contextCounts.count(TreeCounts.CREATED, ids);
        ListenerChain chain = ListenerChain.EMPTY;
        for (TreeListener l : b.listeners) {
            chain = chain.with(l);
        }
        for (ListenerProvider p : Providers.all()) {
            TreeListener every = Providers.call(p, ListenerProvider::forEveryTree);
            if (every != null) {
                chain = chain.with(every);
            }
            TreeListener forDefault = b.defaultTree ? Providers.call(p, ListenerProvider::forDefaultTree) : null;
            if (forDefault != null && !chain.contains(forDefault.getClass())) {
                chain = chain.with(forDefault);
            }
        }
        this.listeners = chain;
        if (chain.wantsContexts) {
            root.listenerState = ListenerChain.keep(chain, chain.contextStarted(root));
        }
        for (TreeListener l : chain.listeners) {
            attach(l);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A tree with every default: root "global", the default executor, the system clock. */
    public static ContextTree create() {
        return builder().build();
    }

    /** The root context (named "global" unless configured otherwise). */
    public Context root() {
        return root;
    }

    /** Whether tasks run on virtual threads: true with the default executor on JDK 21 and later. */
    public boolean usesVirtualThreads() {
        return virtualThreads;
    }

    /**
     * A snapshot of everything: contexts, locks, deadlocks, warnings, counters, recent completions, system metrics.
     * It never blocks the application's hot paths; for 10,000 contexts it takes milliseconds.
     */
    public Status status() {
        return StatusBuilder.build(this, systemMetrics.sample());
    }

    /** {@link #status()} as JSON (schema in {@link Status}). */
    public String statusJson() {
        return status().toJson();
    }

    /** Status updates when something changed, at most once a second; see {@link #statusStream(Duration)}. */
    public java.util.concurrent.Flow.Publisher<Status> statusStream() {
        return statusStream(Duration.ofSeconds(1));
    }

    /**
     * A publisher of status snapshots: one at once when a subscriber requests, then one whenever a context, lock,
     * counter or warning changed, at most once per {@code minInterval}; nothing while idle. Back-pressure is
     * honoured (a subscriber without demand is sent nothing and costs nothing), and cancelling stops all work.
     */
    public java.util.concurrent.Flow.Publisher<Status> statusStream(Duration minInterval) {
        Objects.requireNonNull(minInterval, "minInterval");
        if (minInterval.isNegative() || minInterval.isZero()) {
            throw new IllegalArgumentException("status stream interval must be positive: " + minInterval);
        }
        return new StatusPublisher(this, minInterval);
    }

    Executor executor() {
        return executor;
    }

    /** The latest contexts found leaked (garbage-collected while still open), newest first; at most 100. */
    public List<LeakedContext> recentLeaks() {
        return leaks.recent();
    }

    TreeLeaks leaks() {
        return leaks;
    }

    /** A context made by open() was collected: a leak, or a closed one that only waited for leaked children. */
    void leakCollected(ChildLink link) {
        ContextState endedAs = leaks.collected(link);
        if (endedAs != null) {
            countEnd(endedAs);
        }
    }

    boolean isRedactedKey(String key) {
        return !redactedKeys.isEmpty() && redactedKeys.contains(key.toLowerCase(java.util.Locale.ROOT));
    }

    SecretIndex secretIndex() {
        return secretIndex;
    }

    int maxDepth() {
        return maxDepth;
    }

    /**
     * The clock contexts are stamped with (created, ended, last activity): the coarse clock, a millisecond apart on
     * the system clock, unless {@link Builder#preciseContextTiming()} asked for {@code nanoTime()}. Two precise
     * readings would cost a plain child a third of its open and close.
     */
    long contextNanos() {
        return preciseContextTiming ? clock.nanoTime() : clock.coarseNanoTime();
    }

    /**
     * Adds a listener from now on: it hears of contexts created, locks taken and so on after this call, and of the
     * ends of those. Closing the registration removes it ({@link TreeListener#detached} is called then).
     */
    public Registration addListener(TreeListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("cannot add a listener to tree " + root.name() + ": it is closed");
            }
            listeners = listeners.with(listener);
        }
        attach(listener);
        java.util.concurrent.atomic.AtomicBoolean removed = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (removed.compareAndSet(false, true)) {
                boolean was;
                synchronized (this) {
                    ListenerChain before = listeners;
                    listeners = before.without(listener);
                    was = listeners != before;
                }
                if (was) {
                    detach(listener);
                }
            }
        };
    }

    private void attach(TreeListener l) {
        try {
            l.attached(this);
        } catch (RuntimeException | Error e) {
            ListenerChain.failed(l, "attached", e);
        }
    }

    private void detach(TreeListener l) {
        try {
            l.detached(this);
        } catch (RuntimeException | Error e) {
            ListenerChain.failed(l, "detached", e);
        }
    }

    ListenerChain listeners() {
        return listeners;
    }

    /** The live contexts with exactly this dotted path (same-named siblings share one). */
    public List<Context> findByPath(String path) {
        Objects.requireNonNull(path, "path");
        String[] parts = path.split("\\.", -1);
        if (parts.length == 0 || !parts[0].equals(root.name())) {
            return List.of();
        }
        List<Context> level = List.of(root);
        for (int i = 1; i < parts.length && !level.isEmpty(); i++) {
            List<Context> next = new java.util.ArrayList<>();
            for (Context c : level) {
                for (Context child : c.children()) {
                    if (child.name().equals(parts[i])) {
                        next.add(child);
                    }
                }
            }
            level = next;
        }
        return level;
    }

    /**
     * Every named lock of this tree that is in use or whose context lives, oldest first, as live views (for
     * surfaces that show each lock, such as JMX). {@link #locks()} gives snapshots.
     */
    public List<LockView> namedLocks() {
        return List.copyOf(lockRegistry.locks());
    }

    /** Every named lock of this tree that is in use or whose context lives, oldest first. */
    public List<LockSnapshot> locks() {
        return lockRegistry.snapshots();
    }

    /**
     * Deadlocks now: cycles among named locks (platform and virtual threads alike), then cycles the JVM itself finds
     * among monitors and JDK locks on platform threads, mapped to contexts where a thread is known.
     */
    public List<Deadlock> deadlocks() {
        return lockRegistry.deadlocks();
    }

    /** Problems now, most severe first; see {@link WarningThresholds}. */
    public List<Warning> warnings() {
        return WarningScanner.scan(this, warningThresholds, lockRegistry.snapshots(), lockRegistry.deadlocks());
    }

    /** The thresholds warnings are computed with. */
    public WarningThresholds warningThresholds() {
        return warningThresholds;
    }

    /**
     * Calls {@code listener} (on the watchdog's thread) once for each new deadlock cycle the watchdog finds: cycles
     * among named locks, and cycles the JVM finds that pass through a wait for one of this tree's named locks
     * (asked once such a wait has lasted a whole {@linkplain Builder#deadlockCheckPeriod(Duration) period}).
     * Cycles of monitors and JDK locks alone are listed by {@link #deadlocks()}, not announced.
     */
    public void onDeadlock(java.util.function.Consumer<Deadlock> listener) {
        lockRegistry.addListener(Objects.requireNonNull(listener, "listener"));
    }

    LockRegistry lockRegistry() {
        return lockRegistry;
    }

    /** This tree's counters. */
    public Counters counters() {
        return counters;
    }

    /** The final snapshots of the latest {@link Context#persist() persisted} contexts, newest first. */
    public List<CompletedContext> recentCompletions() {
        return recent.snapshot();
    }

    TreeCounts contextCounts() {
        return contextCounts;
    }

    /** Point-in-time counts of contexts created and ended in this tree. */
    public TreeStatistics statistics() {
        long[] n = contextCounts.read();
        long c = n[TreeCounts.CREATED];
        long done = n[TreeCounts.COMPLETED];
        long f = n[TreeCounts.FAILED];
        long x = n[TreeCounts.CANCELLED];
        long l = leaks.count();
        return new TreeStatistics(Math.max(0, c - done - f - x - l), c, done, f, x, l);
    }

    /**
     * Waits until the root has no live children.
     *
     * @return whether the tree drained before the timeout
     */
    public boolean awaitDrain(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        while (true) {
            List<Context> children = root.children();
            if (children.isEmpty()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                children.get(0).ended().get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return root.children().isEmpty();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Cancels the root (and so everything) with {@code reason} and waits up to {@code grace} for the tree to
     * drain. Returns whether it drained.
     */
    public boolean shutdown(String reason, Duration grace) throws InterruptedException {
        root.cancel(reason);
        return awaitDrain(grace);
    }

    /**
     * Installs (once) a JVM shutdown hook that {@link #shutdown shuts the tree down} with reason "JVM shutdown",
     * waiting at most {@code grace}. Returns whether this call installed it.
     */
    public boolean installShutdownHook(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace period must not be negative: " + grace);
        }
        if (!hookInstalled.compareAndSet(false, true)) {
            return false;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (!shutdown("JVM shutdown", grace)) {
                    System.getLogger(ContextTree.class.getName()).log(System.Logger.Level.WARNING,
                            "contexts still running after the " + grace + " shutdown grace period: "
                                    + root.children());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "canopy-shutdown"));
        return true;
    }

    /** Cancels everything with reason "tree closed" and ends the root. Idempotent; does not wait. */
    @Override
    public void close() {
        root.cancel("tree closed");
        root.end(ContextState.CANCELLED, null);
        counters.close();
        lockRegistry.close();
        ListenerChain last;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            last = listeners;
            listeners = ListenerChain.EMPTY;
        }
        for (TreeListener l : last.listeners) {
            detach(l);
        }
    }

    // ------------------------------------------------------------------ internal

    long startNanos() {
        return startNanos;
    }

    Instant instantAt(long nanos) {
        return Instant.ofEpochMilli(startWallMillis).plusNanos(nanos - startNanos);
    }

    long nanosAt(Instant instant) {
        Duration sinceStart = Duration.between(Instant.ofEpochMilli(startWallMillis), instant);
        try {
            return Math.addExact(startNanos, sinceStart.toNanos());
        } catch (ArithmeticException e) {
            return sinceStart.isNegative() ? Long.MIN_VALUE / 2 : Context.NO_DEADLINE;
        }
    }

    void recordCreated(ThreadIds creator) {
        contextCounts.count(TreeCounts.CREATED, creator);
    }

    private void countEnd(ContextState outcome) {
        contextCounts.count(switch (outcome) {
            case COMPLETED -> TreeCounts.COMPLETED;
            case FAILED -> TreeCounts.FAILED;
            default -> TreeCounts.CANCELLED;
        }, ThreadIds.current());
    }

    void recordEnd(Context context, ContextState outcome) {
        countEnd(outcome);
        if (context.isPersisted()) {
            recent.add(context.snapshotCompleted());
            // "zero manual tracking": persisted contexts count their own endings per path
            CounterCell c = counters.cell(context.path(), outcome.name().toLowerCase(java.util.Locale.ROOT));
            if (c != null) {
                c.total.increment();
            } else {
                counters.lost(1);
            }
        }
    }

    /** Options for a {@link ContextTree}. */
    public static final class Builder {
        private String rootName = "global";
        private Executor executor;
        private CanopyClock clock = CanopyClock.system();
        private int recentCompletions = 100;
        private int maxCounterKeys = 10_000;
        private WarningThresholds warningThresholds = WarningThresholds.defaults();
        private Duration deadlockCheckPeriod = Duration.ofSeconds(1);
        private SystemProbe systemProbe = SystemProbe.jdk();
        private final java.util.Set<String> redactedKeys = new java.util.HashSet<>();
        private int maxDepth = 1_000;
        private boolean preciseContextTiming;
        private double creationSiteSampleRate;
        private int leakDetection = DEFAULT_LEAK_DETECTION;
        private final List<TreeListener> listeners = new java.util.ArrayList<>();
        private boolean defaultTree;

        private Builder() {
        }

        /** The root's name; default {@code global}. */
        public Builder rootName(String name) {
            this.rootName = Names.checkName("root context name", name);
            return this;
        }

        /**
         * Where tasks run unless a builder says otherwise. Default: a virtual thread per task on JDK 21+, a shared
         * pool of daemon threads on JDK 17.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** The time source; default {@link CanopyClock#system()}. */
        public Builder clock(CanopyClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How many persisted completions to keep; default 100, 0 keeps none. */
        public Builder recentCompletions(int size) {
            if (size < 0) {
                throw new IllegalArgumentException("recent completions size must not be negative: " + size);
            }
            this.recentCompletions = size;
            return this;
        }

        /** The cap on distinct counter keys; default 10,000. See {@link Counters}. */
        public Builder maxCounterKeys(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("counter key cap must be at least 1: " + max);
            }
            this.maxCounterKeys = max;
            return this;
        }

        /** When situations become warnings; default {@link WarningThresholds#defaults()}. */
        public Builder warningThresholds(WarningThresholds thresholds) {
            this.warningThresholds = Objects.requireNonNull(thresholds, "thresholds");
            return this;
        }

        /**
         * How often the deadlock watchdog looks while anyone waits for a named lock; default 1 s, zero turns the
         * watchdog off ({@link ContextTree#deadlocks()} still works).
         */
        public Builder deadlockCheckPeriod(Duration period) {
            Objects.requireNonNull(period, "period");
            if (period.isNegative()) {
                throw new IllegalArgumentException("deadlock check period must not be negative: " + period);
            }
            this.deadlockCheckPeriod = period;
            return this;
        }

        /**
         * Data keys whose values are always secret (compared ignoring case), e.g. {@code "password", "token"}:
         * see {@link Context#setSecret(String, Object)}.
         */
        public Builder redactKeys(String... keys) {
            for (String k : keys) {
                redactedKeys.add(Names.checkKey("redacted key", k).toLowerCase(java.util.Locale.ROOT));
            }
            return this;
        }

        /**
         * How deep the tree may grow (the root is level 0); default 1,000. A child beyond is refused: a tree that
         * deep is almost always a recursion bug, and paths, status and JMX stay bounded.
         */
        public Builder maxDepth(int depth) {
            if (depth < 1) {
                throw new IllegalArgumentException("maximum depth must be at least 1: " + depth);
            }
            this.maxDepth = depth;
            return this;
        }

        /**
         * Stamps contexts with {@code System.nanoTime()}, so {@link Context#duration()} is exact to the nanosecond.
         * By default contexts read a clock a daemon thread publishes every millisecond: status shows tenths of a
         * second, a precise reading costs about 25 ns here, and a plain child reads the clock twice. Deadlines and
         * JFR events are precise either way.
         */
        public Builder preciseContextTiming() {
            this.preciseContextTiming = true;
            return this;
        }

        /**
         * Watches one in {@code oneIn} contexts made by {@code open()} for leaks; default
         * {@value ContextTree#DEFAULT_LEAK_DETECTION}, 1 watches every one (tests: {@code CanopyExtension} does),
         * 0 none. The rule: the tree keeps every context until it ends, so one its owner dropped without closing
         * stays visible in status (idle, never ending). A watched one is held weakly instead: when its owner drops
         * it, the collector finds it and it is reported as LEAKED (warning, JFR event, log line), its live counts
         * are given back and it leaves the tree. Watching costs a weak reference per watched context, which is why
         * it is sampled.
         */
        public Builder leakDetection(int oneIn) {
            if (oneIn < 0) {
                throw new IllegalArgumentException("leak detection must watch one in N contexts, N >= 1, or 0 for none: "
                        + oneIn);
            }
            this.leakDetection = oneIn;
            return this;
        }

        /**
         * Records where contexts watched for leaks (see {@link #leakDetection}) are opened, for this fraction of
         * them (0 to 1; default 0, off), so a leak report says where the leaked context came from. A stack trace per
         * context is expensive: sample in production (0.01), capture all in tests (1).
         */
        public Builder captureCreationSites(double fraction) {
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new IllegalArgumentException("creation-site sample rate must be between 0 and 1: " + fraction);
            }
            this.creationSiteSampleRate = fraction;
            return this;
        }

        /** Adds a listener, told of everything in the tree from its creation on; see {@link TreeListener}. */
        public Builder listener(TreeListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Marks Canopy's default tree, which also gets the default listeners of {@link ListenerProvider}s. */
        Builder defaultTree() {
            this.defaultTree = true;
            return this;
        }

        Builder systemProbe(SystemProbe probe) {
            this.systemProbe = Objects.requireNonNull(probe, "probe");
            return this;
        }

        public ContextTree build() {
            return new ContextTree(this);
        }
    }
}
