package dev.canopy.jmx;

import dev.canopy.spi.LockView;
import dev.canopy.status.LockHolder;
import dev.canopy.status.LockSnapshot;
import dev.canopy.status.LockWaiter;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.WeakHashMap;

/**
 * Named-lock statistics by owner path and lock name, never by instance: what a monitoring system can chart without a
 * new series per lock object. A row adds up every instance with that path and name — a per-request lock made afresh
 * by each request, or two locks that happen to share a name.
 *
 * <p>Acquisitions and wait and hold totals must never go back, or Prometheus reads a counter reset. Yet an idle lock
 * of an ended context leaves the tree's registry, taking its numbers along. So each look at the registry (every
 * registry read and every background scan) compares the locks it sees with those it saw last time: one that left has
 * its final numbers folded into its row's <em>retired</em> part; one that comes back (a lock used again after its
 * context ended) has that fold undone, since its own snapshot counts everything again. The registry also says when
 * it drops a lock ({@link dev.canopy.spi.TreeListener#lockRetired}), so a lock made and dropped between two looks
 * (a per-request lock) is folded in as well.
 *
 * <p>Memory: one retired entry per path and name (at most {@link #MAX_RETIRED_ROWS}, then the numbers of new rows'
 * departed locks are dropped), and a weak entry per departed lock until the collector takes it.
 */
final class LockStatistics {
    static final int MAX_RETIRED_ROWS = 10_000;

    private record Key(String path, String name) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int byPath = path.compareTo(o.path);
            return byPath != 0 ? byPath : name.compareTo(o.name);
        }
    }

    /** What departed locks of one row had counted. Maxima are kept too: a maximum never goes back either. */
    private static final class Retired {
        long acquisitions;
        long contended;
        long waitNanos;
        long holdNanos;
        long maxWaitNanos;
        long maxHoldNanos;

        void add(LockSnapshot s, int sign) {
            acquisitions += sign * s.acquisitions();
            contended += sign * s.contendedAcquisitions();
            waitNanos += sign * s.totalWait().toNanos();
            holdNanos += sign * s.totalHold().toNanos();
            maxWaitNanos = Math.max(maxWaitNanos, s.maxWait().toNanos());
            maxHoldNanos = Math.max(maxHoldNanos, s.maxHold().toNanos());
        }
    }

    /** One row being added up. */
    private static final class Sum {
        int instances;
        int holders;
        int waiters;
        long acquisitions;
        long contended;
        long waitNanos;
        long holdNanos;
        long maxWaitNanos;
        long maxHoldNanos;
        long longestWaitingNanos;
        long longestHeldNanos;

        LockRow row() {
            return new LockRow(instances, holders, waiters, acquisitions, contended, waitNanos / 1_000_000,
                    maxWaitNanos / 1_000_000, holdNanos / 1_000_000, maxHoldNanos / 1_000_000,
                    longestWaitingNanos / 1_000_000, longestHeldNanos / 1_000_000);
        }
    }

    /** The locks seen at the last look. Guarded by this, as everything below. */
    private Set<LockView> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Key, Retired> retired = new HashMap<>();
    /** Departed locks and the numbers folded for them, to undo the fold if they come back. */
    private final Map<LockView, LockSnapshot> folded = new WeakHashMap<>();

    /**
     * A lock left the registry ({@link dev.canopy.spi.TreeListener#lockRetired}): its final numbers go into its row's
     * retired part, whether or not a look ever saw it. Once per departure.
     */
    synchronized void retire(LockView lock) {
        if (folded.containsKey(lock)) {
            return;
        }
        LockSnapshot last = lock.snapshot(); // its final numbers: nobody holds or waits for it any more
        Retired r = retired.get(key(last));
        if (r == null && retired.size() < MAX_RETIRED_ROWS) {
            r = new Retired();
            retired.put(key(last), r);
        }
        if (r != null) {
            r.add(last, 1);
            folded.put(lock, last);
        }
        seen.remove(lock);
    }

    /** Notes which locks left the registry and which came back since the last look. */
    synchronized void observe(List<LockView> current) {
        Set<LockView> now = Collections.newSetFromMap(new IdentityHashMap<>());
        now.addAll(current);
        for (LockView lock : List.copyOf(seen)) {
            if (!now.contains(lock)) {
                retire(lock);
            }
        }
        for (LockView lock : now) {
            LockSnapshot before = folded.remove(lock);
            if (before != null) {
                retired.get(key(before)).add(before, -1);
            }
        }
        seen = now;
    }

    /** Rows by owner path, then lock name, both sorted; looks at {@code current} first. */
    Map<String, Map<String, LockRow>> rows(List<LockView> current) {
        Map<Key, Sum> sums = new TreeMap<>();
        List<LockSnapshot> snapshots = current.stream().map(LockView::snapshot).toList();
        synchronized (this) {
            observe(current);
            retired.forEach((key, r) -> {
                Sum s = sums.computeIfAbsent(key, k -> new Sum());
                s.acquisitions += r.acquisitions;
                s.contended += r.contended;
                s.waitNanos += r.waitNanos;
                s.holdNanos += r.holdNanos;
                s.maxWaitNanos = Math.max(s.maxWaitNanos, r.maxWaitNanos);
                s.maxHoldNanos = Math.max(s.maxHoldNanos, r.maxHoldNanos);
            });
        }
        for (LockSnapshot l : snapshots) {
            Sum s = sums.computeIfAbsent(key(l), k -> new Sum());
            s.instances++;
            s.holders += l.holders().size();
            s.waiters += l.waiters().size();
            s.acquisitions += l.acquisitions();
            s.contended += l.contendedAcquisitions();
            s.waitNanos += l.totalWait().toNanos();
            s.holdNanos += l.totalHold().toNanos();
            s.maxWaitNanos = Math.max(s.maxWaitNanos, l.maxWait().toNanos());
            s.maxHoldNanos = Math.max(s.maxHoldNanos, l.maxHold().toNanos());
            for (LockWaiter w : l.waiters()) {
                s.longestWaitingNanos = Math.max(s.longestWaitingNanos, w.waiting().toNanos());
            }
            for (LockHolder h : l.holders()) {
                s.longestHeldNanos = Math.max(s.longestHeldNanos, h.held().toNanos());
            }
        }
        Map<String, Map<String, LockRow>> out = new TreeMap<>();
        sums.forEach((key, s) -> out.computeIfAbsent(key.path(), p -> new TreeMap<>()).put(key.name(), s.row()));
        return out;
    }

    private static Key key(LockSnapshot s) {
        return new Key(s.ownerPath(), s.name());
    }
}
