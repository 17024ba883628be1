package dev.canopy.jmx;

/** The registry with its mutating operations (absent when the tree runs JMX read-only). */
public interface RegistryMXBean extends RegistryViewMXBean {
    /**
     * Cancels every live context with exactly this path (and so their subtrees).
     *
     * @return what was done: {@code "cancelled 1 context(s) at global.remote-access, and everything under them"},
     *         {@code "nothing to cancel at ...: it has ended or been cancelled already"} (only the first cancel
     *         counts), or {@code "no context at ..."}
     */
    String cancel(String path, String reason);
}
