package dev.canopy;

/**
 * One holder of a named lock, as status, deadlock detection and the listeners see it: a copy made from the lock's
 * slots, which keep the live state. The count is reentrant holds or semaphore permits.
 */
final class Hold {
    final Context context;
    final Thread thread;
    final long sinceNanos;
    final LockMode mode;
    final int count;
    /** The listeners told of this hold, and what they attached to it; set only on a semaphore hold that ended. */
    ListenerChain listeners;
    Object attachment;

    Hold(Context context, Thread thread, long sinceNanos, LockMode mode, int count) {
        this.context = context;
        this.thread = thread;
        this.sinceNanos = sinceNanos;
        this.mode = mode;
        this.count = count;
    }
}
