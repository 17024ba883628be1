package dev.canopy.status;

/** What a {@link Warning} is about. The names are stable: they appear in status JSON and JMX. */
public enum WarningKind {
    /** A cycle of waits that cannot resolve. */
    DEADLOCK,
    /** A named lock held longer than {@code WarningThresholds.lockHeld}. */
    LONG_HELD,
    /** A context waiting for a named lock longer than {@code WarningThresholds.lockWait}. */
    STUCK_WAITER,
    /** A context opened and dropped without being closed, found by the garbage collector. */
    LEAKED,
    /** A context still alive after its deadline. */
    PAST_DEADLINE,
    /** A cancelled context still running after {@code WarningThresholds.cancelledStillRunning}. */
    CANCELLED_STILL_RUNNING,
    /** An operation in progress longer than {@code WarningThresholds.operation}. */
    LONG_OPERATION,
    /** A context with no activity for longer than {@code WarningThresholds.idle}. */
    IDLE
}
