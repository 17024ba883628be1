package dev.canopy.status;

/** How bad a {@link Warning} is. */
public enum Severity {
    /** Worth knowing (an idle context). */
    INFO,
    /** A likely problem (a lock held long, a waiter stuck, a context past its deadline). */
    WARNING,
    /** Certainly a problem (a deadlock). */
    CRITICAL
}
