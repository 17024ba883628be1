package dev.canopy.spi;

import dev.canopy.LockKind;
import dev.canopy.status.LockSnapshot;

/**
 * A named lock as its surfaces see it: identity, and a snapshot of its holders, waiters and statistics on demand.
 * Implemented by {@link dev.canopy.NamedLock}, {@link dev.canopy.NamedReadWriteLock} and
 * {@link dev.canopy.NamedSemaphore}.
 */
public interface LockView {
    /** Unique among the named locks of this JVM. */
    long id();

    /** The lock's name. */
    String name();

    LockKind kind();

    /** The path of the context the lock was created in. */
    String ownerPath();

    /** How many waiters are registered now: cheaper than a snapshot. */
    int waiterCount();

    /** Holders, waiters and statistics at this moment. */
    LockSnapshot snapshot();
}
