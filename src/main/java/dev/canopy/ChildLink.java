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

    /** The parent when it is held strongly anyway (the root, a task's context); else null. */
    final Context strongParent;
    /** The parent's own link when the parent was made by open(): never the parent itself, which must stay collectable. */
    final ChildLink parentLink;
    final String name;
    final long id;
    final long createdNanos;
    /** The stripe of the parent's child set it sits in (the context's own, kept for after it is collected). */
    final byte stripe;
    /** Where it was opened, when creation-site capture sampled it; else null. */
    final Throwable site;
    /** The context's counter holdings, so a leak gives its live counts back. */
    volatile ConcurrentHashMap<String, ?> counters;
    /** Set once the context left the tree normally: the link is then only waiting to be cleared. */
    volatile boolean ended;
    /** How it ended, when it did but still waited for children; null while open. */
    volatile ContextState outcome;
    /**
     * The context's own child set, so children it leaked along with itself are still reachable through this link,
     * queued when collected, and reported too.
     */
    volatile ChildSet children;
    /** Its neighbours in its parent's {@link ChildSet} stripe; guarded by the stripe's lock. */
    Object prevSibling;
    Object nextSibling;

    ChildLink(Context child, Context parent, Throwable site) {
        super(child, QUEUE);
        this.parentLink = parent.link;
        this.strongParent = parent.link == null ? parent : null;
        this.name = child.name();
        this.id = child.id();
        this.createdNanos = child.createdNanos();
        this.stripe = child.stripe;
        this.site = site;
    }

    /** As {@link Context#hashCode()}: from the id, never the identity hash. */
    @Override
    public int hashCode() {
        return Long.hashCode(id * 0x9E3779B97F4A7C15L);
    }

    /** The parent while it exists. */
    Context parent() {
        return strongParent != null ? strongParent : parentLink.get();
    }

    /** The collected context's path, rebuilt from the links when its parent is gone too. */
    String path() {
        Context p = parent();
        return (p != null ? p.path() : parentLink.path()) + "." + name;
    }

    ContextTree tree(ContextTree fallback) {
        Context p = parent();
        return p != null ? p.tree : parentLink == null ? fallback : parentLink.tree(fallback);
    }
}
