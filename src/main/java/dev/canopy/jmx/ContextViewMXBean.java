package dev.canopy.jmx;

import java.util.Map;

/**
 * One context, as {@code dev.canopy:type=Context,l0=global,l1=…,name=<name>#<id>}. Live values, read at each
 * attribute access; registered per the tree's policy and unregistered when the context ends.
 */
public interface ContextViewMXBean {
    String getName();

    String getPath();

    long getId();

    /** ACTIVE, COMPLETED, FAILED or CANCELLED. */
    String getState();

    long getDurationMillis();

    long getIdleMillis();

    /** The effective deadline (ISO-8601), or empty. */
    String getDeadline();

    /** Milliseconds left until the deadline, -1 without one. */
    long getTimeLeftMillis();

    /** The cancel reason, or empty. */
    String getCancelReason();

    /** The most recent operation in progress and how long it has run, or empty. */
    String getCurrentOperation();

    /** The context's data as JSON text. */
    String getData();

    /** Metrics rendered as text, by key. */
    Map<String, String> getMetrics();

    /** Total counters at this path, by counter name. */
    Map<String, Long> getCounterTotals();

    /** Live counters at this path, by counter name. */
    Map<String, Long> getCounterLive();

    /** Named locks held, one line each: name, mode, hold time. */
    String[] getHeldLocks();

    /** Named locks waited for, one line each. */
    String[] getAwaitedLocks();

    int getChildCount();

    /** The status tree of this context's subtree as text. */
    String status();
}
