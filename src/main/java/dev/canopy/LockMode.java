package dev.canopy;

/** How a named lock is held or awaited. */
public enum LockMode {
    /** A mutex. */
    EXCLUSIVE,
    /** The read side of a read/write lock. */
    READ,
    /** The write side of a read/write lock. */
    WRITE,
    /** Permits of a semaphore. */
    PERMIT
}
