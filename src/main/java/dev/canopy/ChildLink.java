package dev.canopy;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a parent holds a child made by {@link ContextBuilder#open()}: weakly, so a context its owner dropped without
 * closing can be collected and reported as a leak. It keeps what the report and the clean-up need once the context
 * is gone — never the context itself. (A task's context is held strongly by its task; it cannot leak that way.)
 */
final class ChildLink extends WeakReference<Context> {
    static final ReferenceQueue<Context> QUEUE = new ReferenceQueue<>();

    final Context parent;
    final String name;
    final long id;
    final long createdNanos;
    /** Where it was opened, when creation-site capture sampled it; else null. */
    final Throwable site;
    /** The context's counter holdings, so a leak gives its live counts back. */
    volatile ConcurrentHashMap<String, ?> counters;
    /** Set once the context ended normally: the link is then only waiting to be cleared. */
    volatile boolean ended;

    ChildLink(Context child, Context parent, Throwable site) {
        super(child, QUEUE);
        this.parent = parent;
        this.name = child.name();
        this.id = child.id();
        this.createdNanos = child.createdNanos();
        this.site = site;
    }
}
