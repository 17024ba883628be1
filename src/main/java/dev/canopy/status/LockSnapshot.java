package dev.canopy.status;

import dev.canopy.LockKind;

import java.time.Duration;
import java.util.List;

/**
 * A named lock at one moment: its holders and waiters, and what it has seen since it was created. All values are
 * point-in-time.
 *
 * @param ownerPath            the path of the context the lock was created in (it may have ended)
 * @param permits              the semaphore's available permits; 0 for other kinds
 * @param acquisitions         successful acquisitions (reentrant ones not counted)
 * @param contendedAcquisitions acquisitions that had to wait
 */
public record LockSnapshot(long id, String name, LockKind kind, String ownerPath, boolean fair, int permits,
                           List<LockHolder> holders, List<LockWaiter> waiters, long acquisitions,
                           long contendedAcquisitions, Duration totalWait, Duration maxWait, Duration totalHold,
                           Duration maxHold) {
    public LockSnapshot {
        holders = List.copyOf(holders);
        waiters = List.copyOf(waiters);
    }
}
