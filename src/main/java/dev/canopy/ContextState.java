package dev.canopy;

/**
 * Where a context is in its life.
 *
 * <p>{@link #CANCELLED} is reported from the moment {@link Context#cancel()} reaches the context, even while
 * its task is still winding down; {@link Context#isEnded()} tells whether it has left the live tree.
 */
public enum ContextState {
    /** Running, not cancelled. */
    ACTIVE,
    /** Ended normally: closed, or its task returned. */
    COMPLETED,
    /** Ended by a failure: its task threw, or {@link Context#fail(Throwable)} was called. */
    FAILED,
    /** Cancelled: by itself, an ancestor, a deadline or shutdown. */
    CANCELLED;

    /** Whether this is one of the three ending states. */
    public boolean isTerminal() {
        return this != ACTIVE;
    }
}
