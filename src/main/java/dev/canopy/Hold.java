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
    /** The listeners told of this hold, and what they attached to it; null until told. */
    ListenerChain listeners;
    Object attachment;

    Hold(Context context, Thread thread, long sinceNanos, LockMode mode, int count) {
        super(count);
        this.context = context;
        this.thread = thread;
        this.sinceNanos = sinceNanos;
        this.mode = mode;
    }
}
