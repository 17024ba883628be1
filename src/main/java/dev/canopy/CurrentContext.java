package dev.canopy;

/**
 * The context the running code belongs to, per thread (platform or virtual). It is kept in the thread's
 * {@link ThreadIds}, so code that needs the thread's other state too (a semaphore's acquisition, which also needs the
 * thread's slot) finds both with one thread-local lookup, and making a context current looks the thread-local up once
 * instead of twice (read the previous, set the new).
 */
final class CurrentContext {
    private CurrentContext() {
    }

    static Context get() {
        return ThreadIds.current().currentContext;
    }

    /** Makes {@code context} current and returns the one it replaces, to be passed to {@link #restore}. */
    static Context swap(Context context) {
        ThreadIds t = ThreadIds.current();
        Context previous = t.currentContext;
        t.currentContext = context;
        return previous;
    }

    static void restore(Context previous) {
        ThreadIds.current().currentContext = previous;
    }
}
