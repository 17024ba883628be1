package dev.canopy.jmx;

import java.util.Map;

/**
 * One per tree, always registered (as {@code dev.canopy:type=Registry}): the whole tree, whatever the registration
 * policy. All values are point-in-time. This is the read-only view; {@link RegistryMXBean} adds operations that act.
 */
public interface RegistryViewMXBean {
    /** The root context's name. */
    String getRootName();

    /** Contexts not yet ended, the root included. */
    long getLiveContexts();

    long getCreatedContexts();

    long getCompletedContexts();

    long getFailedContexts();

    long getCancelledContexts();

    /** Contexts garbage-collected without being closed (leaks). */
    long getLeakedContexts();

    int getNamedLocks();

    int getLockWaiters();

    int getDeadlockCount();

    int getWarningCount();

    int getCriticalWarningCount();

    /**
     * Warnings now, by {@code <severity>/<kind>} ({@code WARNING/STUCK_WAITER}): every kind is listed, with 0 when it
     * has no warning, so a monitoring system sees a series drop to zero instead of vanish.
     */
    Map<String, Long> getWarningCounts();

    /**
     * Named-lock statistics by owner path, then lock name: each row adds up every lock with that path and name,
     * including those that have left the tree, so counts and totals never go back. See {@link LockRow}.
     */
    Map<String, Map<String, LockRow>> getLockStatistics();

    /**
     * Permits of each named semaphore, by owner path, then name: available, held, and what waiters ask for, added up
     * over the semaphores that share a path and name. Only semaphores have a row. See {@link PermitRow}.
     */
    Map<String, Map<String, PermitRow>> getSemaphorePermits();

    /**
     * Total counters by key: every counter counted with {@code incrementTotal}, and the endings of persisted
     * contexts. A counter only ever counted live is left out until it counts a total too, so a monitoring system
     * gets no series that can only be 0.
     */
    Map<String, Long> getCounterTotals();

    /**
     * Live counters by key (the {@code live_} key form): every counter ever counted with {@code incrementLive}, 0 when
     * nothing holds it now. Counters only ever counted as totals are left out.
     */
    Map<String, Long> getCounterLive();

    /** Distinct counter keys now; new keys beyond {@link #getCounterKeyCap()} are refused. */
    int getCounterKeys();

    /** The most distinct counter keys the tree keeps ({@code ContextTree.Builder.maxCounterKeys}). */
    int getCounterKeyCap();

    /** How many times a new counter key was refused because the cap was reached. */
    long getCounterKeysRefused();

    /** Increments not counted because their key was refused. */
    long getCounterIncrementsLost();

    /** Every counter with its windows: key, total, live, lastSecond, lastMinute, lastHour, lastDay, ratePerSecond. */
    java.util.List<CounterRow> getCounters();

    /** LONG_LIVED, ALL or NONE. */
    String getRegistrationPolicy();

    /** Context MBeans registered now. */
    int getRegisteredContextBeans();

    /** Context MBeans not registered because of the cap, at the last scan. */
    long getContextBeansSkippedByCap();

    /** Lock MBeans registered now. */
    int getRegisteredLockBeans();

    /** Lock MBeans not registered because of the cap, at the last scan. */
    long getLockBeansSkippedByCap();

    /** Registrations the MBean server refused. */
    long getRegistrationFailures();

    boolean isReadOnly();

    /** The status tree as plain text (the same as {@code Canopy.status().toString()}). */
    String statusText();

    /**
     * The status as JSON (the same schema as {@code Canopy.statusJson()}), taken when read. An attribute, so a JMX
     * role that may only read ({@code readonly} in {@code jmxremote.access}) can see the tree; generic pollers that
     * read every attribute pay for a status each time, so leave it out of their lists.
     */
    String getStatusJson();

    /** The status as JSON: the same as {@link #getStatusJson()}, kept for clients that invoke it. */
    String statusJson();

    /**
     * Each deadlock cycle as one line. An attribute, so a JMX role that may only read can see them; finding them
     * walks every named lock's waiters and asks the JVM for its own deadlocks, so generic pollers had better leave
     * it out (DeadlockCount counts them).
     */
    String[] getDeadlocks();

    /** Each deadlock cycle as one line: the same as {@link #getDeadlocks()}, kept for clients that invoke it. */
    String[] deadlocks();

    /** Each warning as one line, most severe first. */
    String[] warnings();
}
