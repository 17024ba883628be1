package dev.canopy;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One holder of a named lock. The count is reentrant holds or semaphore permits; it is an AtomicInteger itself so
 * a hold is a single small allocation on the acquiring path.
 */
final class Hold extends AtomicInteger {
    final Context context;
    final Thread thread;
    final long sinceNanos;
    final LockMode mode;
    /** The JFR hold event in progress, while a recording wants it. */
    Object jfr;

    Hold(Context context, Thread thread, long sinceNanos, LockMode mode, int count) {
        super(count);
        this.context = context;
        this.thread = thread;
        this.sinceNanos = sinceNanos;
        this.mode = mode;
    }
}
