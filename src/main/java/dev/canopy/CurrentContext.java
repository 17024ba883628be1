package dev.canopy;

/** The context the running code belongs to, per thread (platform or virtual). */
final class CurrentContext {
    private static final ThreadLocal<Context> CURRENT = new ThreadLocal<>();

    private CurrentContext() {
    }

    static Context get() {
        return CURRENT.get();
    }

    /** Makes {@code context} current and returns the one it replaces, to be passed to {@link #restore}. */
    static Context swap(Context context) {
        Context previous = CURRENT.get();
        CURRENT.set(context);
        return previous;
    }

    static void restore(Context previous) {
        CURRENT.set(previous);
    }
}
