package dev.canopy;

/** What kind of named lock. */
public enum LockKind {
    /** {@link NamedLock}: one holder at a time, reentrant. */
    MUTEX,
    /** {@link NamedReadWriteLock}: shared readers or one writer. */
    READ_WRITE,
    /** {@link NamedSemaphore}: a number of permits. */
    SEMAPHORE
}
