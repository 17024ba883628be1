package dev.canopy.jmx;

/**
 * One named lock, as {@code dev.canopy:type=Lock,l0=global,…,name=<lock>#<id>} under the folders of the context it
 * was created in. Point-in-time values.
 */
public interface LockMXBean {
    String getName();

    /** MUTEX, READ_WRITE or SEMAPHORE. */
    String getKind();

    String getOwnerPath();

    boolean isFair();

    /** Semaphores: permits available now. */
    int getAvailablePermits();

    int getHolderCount();

    int getWaiterCount();

    /** One line per holder: context path, thread, mode, hold time. */
    String[] getHolders();

    /** One line per waiter: context path, thread, mode, wait time. */
    String[] getWaiters();

    long getLongestHoldMillis();

    long getLongestWaitMillis();

    long getAcquisitions();

    long getContendedAcquisitions();

    long getTotalWaitMillis();

    long getMaxWaitMillis();

    long getTotalHoldMillis();

    long getMaxHoldMillis();
}
