package dev.canopy.jmx;

/** The registry with its mutating operations (absent when the tree runs JMX read-only). */
public interface RegistryMXBean extends RegistryViewMXBean {
    /**
     * Cancels every live context with exactly this path (and so their subtrees).
     *
     * @return what was done, e.g. {@code "cancelled 1 context(s) at global.remote-access"}
     */
    String cancel(String path, String reason);
}
