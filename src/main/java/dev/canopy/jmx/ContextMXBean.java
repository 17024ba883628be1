package dev.canopy.jmx;

/** A context with its mutating operation (absent when the tree runs JMX read-only). */
public interface ContextMXBean extends ContextViewMXBean {
    /** Cancels this context and its subtree. */
    void cancel(String reason);
}
