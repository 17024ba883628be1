package dev.canopy;

import dev.canopy.internal.Names;
import dev.canopy.status.CounterOverflow;
import dev.canopy.status.CounterSnapshot;
import dev.canopy.status.CounterWindows;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one tree, keyed by {@code <context path>.<counter>} (totals) and
 * {@code <context path>.live_<counter>} (live counts). Counters outlive contexts: every context with the same
 * path adds into the same key. Reading never blocks writers.
 *
 * <p>Memory is bounded by a cap on distinct keys ({@link ContextTree.Builder#maxCounterKeys(int)}, default
 * 10,000; about 1.3 KB each with their windows). Increments to a new key beyond the cap are not counted; they are
 * reported by {@link #overflow()} and logged once.
 */
public final class Counters {
    static final String LIVE_PREFIX = "live_";
    private static final long SAMPLE_PERIOD_NANOS = 250_000_000L;

    private final ContextTree tree;
    private final ConcurrentHashMap<String, CounterCell> cells = new ConcurrentHashMap<>();
    private final int maxKeys;
    private final AtomicInteger size = new AtomicInteger();
    private final LongAdder refusedKeys = new LongAdder();
    private final LongAdder lostIncrements = new LongAdder();
    private final AtomicBoolean overflowLogged = new AtomicBoolean();
    private final AtomicBoolean samplerStarted = new AtomicBoolean();
    private volatile ScheduledFuture<?> sampler;

    Counters(ContextTree tree, int maxKeys) {
        this.tree = tree;
        this.maxKeys = maxKeys;
    }

    // ------------------------------------------------------------------ reading

    /** The total under {@code key} ({@code <path>.<counter>}), 0 if there is none. */
    public long total(String key) {
        CounterCell c = cells.get(Objects.requireNonNull(key, "key"));
        return c == null ? 0 : c.totalNow();
    }

    /**
     * The live count under {@code key}: {@code <path>.live_<counter>} (or {@code <path>.<counter>}), 0 if there
     * is none.
     */
    public long live(String key) {
        CounterCell c = cells.get(totalKeyOf(Objects.requireNonNull(key, "key")));
        if (c == null) {
            c = cells.get(key);
        }
        return c == null ? 0 : c.liveNow();
    }

    /** The total of {@code counter} summed over {@code pathPrefix} and every path below it. */
    public long rollupTotal(String pathPrefix, String counter) {
        long sum = 0;
        for (CounterCell c : matching(pathPrefix, counter)) {
            sum += c.totalNow();
        }
        return sum;
    }

    /** The live count of {@code counter} summed over {@code pathPrefix} and every path below it. */
    public long rollupLive(String pathPrefix, String counter) {
        long sum = 0;
        for (CounterCell c : matching(pathPrefix, counter)) {
            sum += c.liveNow();
        }
        return sum;
    }

    /** The windowed counts of the total under {@code key}. */
    public Optional<CounterWindows> windows(String key) {
        CounterCell c = cells.get(Objects.requireNonNull(key, "key"));
        return c == null ? Optional.empty() : Optional.of(c.windows(nowSecond()));
    }

    /** Every counter, sorted by key. */
    public List<CounterSnapshot> snapshot() {
        return snapshot("");
    }

    /** The counters at {@code pathPrefix} and below, sorted by key ({@code ""} for all). */
    public List<CounterSnapshot> snapshot(String pathPrefix) {
        Objects.requireNonNull(pathPrefix, "pathPrefix");
        long second = nowSecond();
        List<CounterSnapshot> out = new ArrayList<>();
        for (CounterCell c : cells.values()) {
            if (pathPrefix.isEmpty() || isAtOrBelow(c.path, pathPrefix)) {
                out.add(new CounterSnapshot(c.key, c.liveKey(), c.path, c.counter, c.totalNow(), c.liveNow(),
                        c.countsLive, c.windows(second)));
            }
        }
        out.sort(Comparator.comparing(CounterSnapshot::key));
        return out;
    }

    /** How many distinct keys exist. */
    public int size() {
        return size.get();
    }

    /** What the key cap refused. */
    public CounterOverflow overflow() {
        return new CounterOverflow(maxKeys, refusedKeys.sum(), lostIncrements.sum());
    }

    // ------------------------------------------------------------------ internal

    private List<CounterCell> matching(String pathPrefix, String counter) {
        Objects.requireNonNull(pathPrefix, "pathPrefix");
        Objects.requireNonNull(counter, "counter");
        List<CounterCell> out = new ArrayList<>();
        for (CounterCell c : cells.values()) {
            if (c.counter.equals(counter) && isAtOrBelow(c.path, pathPrefix)) {
                out.add(c);
            }
        }
        return out;
    }

    private static boolean isAtOrBelow(String path, String prefix) {
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '.');
    }

    private static String totalKeyOf(String liveKey) {
        int dot = liveKey.lastIndexOf('.');
        if (dot < 0 || !liveKey.startsWith(LIVE_PREFIX, dot + 1)) {
            return liveKey;
        }
        return liveKey.substring(0, dot + 1) + liveKey.substring(dot + 1 + LIVE_PREFIX.length());
    }

    CounterCell find(String path, String counter) {
        return cells.get(path + '.' + counter);
    }

    /** The cell for a key, created if the cap allows; {@code null} (and reported) if it does not. */
    CounterCell cell(String path, String counter) {
        String key = path + '.' + counter;
        CounterCell c = cells.get(key);
        if (c != null) {
            return c;
        }
        if (size.get() >= maxKeys) {
            refuse(key);
            return null;
        }
        c = cells.computeIfAbsent(key, k -> {
            if (size.incrementAndGet() > maxKeys) {
                size.decrementAndGet();
                return null;
            }
            return new CounterCell(path, counter, nowSecond());
        });
        if (c == null) {
            refuse(key);
            return null;
        }
        startSampler();
        return c;
    }

    void lost(long increments) {
        lostIncrements.add(increments);
    }

    private void refuse(String key) {
        refusedKeys.increment();
        if (overflowLogged.compareAndSet(false, true)) {
            System.getLogger(Counters.class.getName()).log(System.Logger.Level.WARNING,
                    "counter key cap of " + maxKeys + " reached; \"" + Names.escape(key)
                            + "\" and later new keys are not counted (see Counters.overflow())");
        }
    }

    long nowSecond() {
        return CounterCell.secondOf(tree.clock.nanoTime() - tree.startNanos());
    }

    /** Takes the boundary samples of every key; the sampler calls it a few times a second. */
    void sample() {
        long second = nowSecond();
        for (CounterCell c : cells.values()) {
            c.sampleUpTo(second);
        }
    }

    private void startSampler() {
        if (samplerStarted.get() || !samplerStarted.compareAndSet(false, true)) {
            return;
        }
        // weakly held, so a tree that is dropped without close() does not live on in the timer
        WeakReference<Counters> self = new WeakReference<>(this);
        ScheduledFuture<?>[] handle = new ScheduledFuture<?>[1];
        handle[0] = DeadlineTimer.scheduleAtFixedRate(() -> {
            Counters c = self.get();
            if (c == null) {
                if (handle[0] != null) {
                    handle[0].cancel(false);
                }
            } else {
                c.sample();
            }
        }, SAMPLE_PERIOD_NANOS);
        sampler = handle[0];
    }

    void close() {
        ScheduledFuture<?> s = sampler;
        if (s != null) {
            s.cancel(false);
        }
    }
}
