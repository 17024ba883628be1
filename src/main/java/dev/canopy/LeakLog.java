package dev.canopy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The log lines of one tree's leaks, at most {@value #LINES_PER_MINUTE} a minute: a service that forgets a context on
 * every request would otherwise write a line per request. Leaks beyond that are still counted, listed (the last 100
 * in status), sent to listeners (JFR) and shown as warnings; the log is told at once that more are coming, and
 * how many once the minute is over. Only the leak detector's thread writes here.
 */
final class LeakLog {
    static final int LINES_PER_MINUTE = 10;
    private static final long MINUTE = 60_000_000_000L;
    private static final System.Logger LOG = System.getLogger(ContextTree.class.getName());
    /** Logs with leaks not yet told: the leak detector wakes up for them even if no leak follows. */
    private static final Set<LeakLog> OWING = ConcurrentHashMap.newKeySet();

    private final ContextTree tree;
    private long windowStart;
    private boolean windowOpen;
    private int lines;
    private long untold;

    LeakLog(ContextTree tree) {
        this.tree = tree;
    }

    /** Logs {@code line} for a leak, unless this minute's lines are used up; then counts it for the summary. */
    synchronized void leaked(String line) {
        long now = tree.clock.nanoTime();
        if (!windowOpen || now - windowStart >= MINUTE) {
            tellUntold();
            windowStart = now;
            windowOpen = true;
            lines = 0;
        }
        if (lines < LINES_PER_MINUTE) {
            lines++;
            LOG.log(System.Logger.Level.WARNING, line);
        } else if (untold++ == 0) {
            OWING.add(this);
            // said at once, so a process that exits within the minute still tells its log there were more
            LOG.log(System.Logger.Level.WARNING, "more contexts of " + tree.root().name() + " are being "
                    + "garbage-collected without being closed: the rest of this minute's are counted, not logged "
                    + "one by one, and a line after the minute says how many");
        }
    }

    /** Whether some log owes a summary: the leak detector then waits on its queue with a timeout. */
    static boolean anyOwing() {
        return !OWING.isEmpty();
    }

    /** Writes the summaries whose minute is over. */
    static void tellDue() {
        for (LeakLog log : OWING) {
            log.tellIfDue();
        }
    }

    private synchronized void tellIfDue() {
        if (tree.clock.nanoTime() - windowStart >= MINUTE) {
            tellUntold();
            windowOpen = false;
        }
    }

    private void tellUntold() {
        if (untold == 0) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, untold + " more context" + (untold == 1 ? " of " : "s of ")
                + tree.root().name() + " were garbage-collected without being closed in that minute, not logged "
                + "one by one (at most " + LINES_PER_MINUTE + " lines a minute): the registry's LeakedContexts "
                + "counts every leak, and status lists the last 100");
        untold = 0;
        OWING.remove(this);
    }
}
