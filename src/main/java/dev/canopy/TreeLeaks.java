package dev.canopy;

import dev.canopy.internal.Durations;
import dev.canopy.status.LeakedContext;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * One tree's leak watching: which contexts made by {@code open()} are watched (one in N, held weakly through a
 * {@link ChildLink}), where they were opened (sampled), and what happens when the collector finds one that never
 * ended: it leaves its parent, gives back its live counts, and is reported (recent leaks, the count, a log line and
 * the listeners). {@link LeakDetector}'s thread calls {@link #collected}; nothing here is on the application's
 * threads except the two sampling decisions.
 */
final class TreeLeaks {
    private static final int RECENT = 100;

    private final ContextTree tree;
    private final int oneIn;
    private final double creationSiteRate;
    private final LongAdder leaked = new LongAdder();
    private final ConcurrentLinkedDeque<LeakedContext> recent = new ConcurrentLinkedDeque<>();
    private final LeakLog log;

    TreeLeaks(ContextTree tree, int oneIn, double creationSiteRate) {
        this.tree = tree;
        this.log = new LeakLog(tree);
        this.oneIn = oneIn;
        this.creationSiteRate = creationSiteRate;
    }

    /** Whether a new context made by {@code open()} is watched (held weakly): see the builder's leakDetection. */
    boolean watch() {
        return oneIn == 1 || oneIn > 1 && ThreadLocalRandom.current().nextInt(oneIn) == 0;
    }

    /** Where a watched context is being opened, when sampling picks it; else null. */
    Throwable creationSite() {
        double rate = creationSiteRate;
        if (rate <= 0 || (rate < 1 && ThreadLocalRandom.current().nextDouble() >= rate)) {
            return null;
        }
        return new Throwable("opened here");
    }

    long count() {
        return leaked.sum();
    }

    List<LeakedContext> recent() {
        return List.copyOf(recent);
    }

    /**
     * A watched context was collected: cleans up after it and, if it never ended, reports it. Returns how it ended
     * when it was closed and only waited for children it leaked (an end, not a leak), else null.
     */
    ContextState collected(ChildLink link) {
        if (link.ended) {
            return null;
        }
        long now = tree.clock.nanoTime();
        Context parent = link.parent();
        if (parent != null) {
            parent.removeCollectedChild(link);
        }
        Context.giveBackCounts(link.counters);
        if (link.outcome != null) {
            return link.outcome;
        }
        String path = link.path();
        String site = link.site == null ? null : LeakDetector.describe(link.site);
        LeakedContext report = new LeakedContext(link.id, path, tree.instantAt(link.createdNanos), tree.instantAt(now),
                Duration.ofNanos(Math.max(0, now - link.createdNanos)), site);
        log.leaked("context " + path + " (#" + link.id + ") was garbage-collected without being closed, "
                + Durations.human(report.age()) + " after it was opened"
                + (site == null ? " (switch on creation-site capture to see where it was opened)" : "; opened at " + site));
        ListenerChain lc = tree.listeners();
        if (lc.wantsLeaks) {
            lc.contextLeaked(report);
        }
        // last: whoever sees the leak in recentLeaks() can count on the log line and the listeners (a JFR event)
        // having had it already
        recent.addFirst(report);
        while (recent.size() > RECENT) {
            recent.pollLast();
        }
        // after that: statistics count it live until then, so "fewer live than counted" means a report is coming
        leaked.increment();
        return null;
    }
}
