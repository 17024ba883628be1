package dev.canopy.jmx;

import java.beans.ConstructorProperties;

/**
 * The named locks that share one name and one owner path, added up: a row of the registry's
 * {@code LockStatistics} (a CompositeData over JMX). Counts and totals cover every such lock the registry has seen,
 * including those that have since left the tree, so they never go back; the other values are point-in-time.
 */
public final class LockRow {
    private final int instances;
    private final int holders;
    private final int waiters;
    private final long acquisitions;
    private final long contendedAcquisitions;
    private final long totalWaitMillis;
    private final long maxWaitMillis;
    private final long totalHoldMillis;
    private final long maxHoldMillis;
    private final long longestWaitingMillis;
    private final long longestHeldMillis;

    @ConstructorProperties({"instances", "holders", "waiters", "acquisitions", "contendedAcquisitions",
            "totalWaitMillis", "maxWaitMillis", "totalHoldMillis", "maxHoldMillis", "longestWaitingMillis",
            "longestHeldMillis"})
    public LockRow(int instances, int holders, int waiters, long acquisitions, long contendedAcquisitions,
                   long totalWaitMillis, long maxWaitMillis, long totalHoldMillis, long maxHoldMillis,
                   long longestWaitingMillis, long longestHeldMillis) {
        this.instances = instances;
        this.holders = holders;
        this.waiters = waiters;
        this.acquisitions = acquisitions;
        this.contendedAcquisitions = contendedAcquisitions;
        this.totalWaitMillis = totalWaitMillis;
        this.maxWaitMillis = maxWaitMillis;
        this.totalHoldMillis = totalHoldMillis;
        this.maxHoldMillis = maxHoldMillis;
        this.longestWaitingMillis = longestWaitingMillis;
        this.longestHeldMillis = longestHeldMillis;
    }

    /** Locks with this name and owner path in the tree now (usually 1; 0 once all have left). */
    public int getInstances() {
        return instances;
    }

    /** Holders now, over all instances (a semaphore's permit-holding contexts, a read lock's readers). */
    public int getHolders() {
        return holders;
    }

    /** Waiters now, over all instances. */
    public int getWaiters() {
        return waiters;
    }

    /** Successful acquisitions since the first instance was created (reentrant ones not counted). */
    public long getAcquisitions() {
        return acquisitions;
    }

    /** Acquisitions that had to wait. */
    public long getContendedAcquisitions() {
        return contendedAcquisitions;
    }

    /** Time spent waiting, summed over finished waits. */
    public long getTotalWaitMillis() {
        return totalWaitMillis;
    }

    /** The longest finished wait. */
    public long getMaxWaitMillis() {
        return maxWaitMillis;
    }

    /** Time held, summed over finished holds. */
    public long getTotalHoldMillis() {
        return totalHoldMillis;
    }

    /** The longest finished hold. */
    public long getMaxHoldMillis() {
        return maxHoldMillis;
    }

    /** How long the longest wait still in progress has lasted; 0 when nobody waits. */
    public long getLongestWaitingMillis() {
        return longestWaitingMillis;
    }

    /** How long the longest hold still in progress has lasted; 0 when nobody holds. */
    public long getLongestHeldMillis() {
        return longestHeldMillis;
    }
}
