package dev.canopy.jfr;

import dev.canopy.spi.ListenerProvider;
import dev.canopy.spi.TreeListener;

/**
 * Joins Canopy's JFR events to every tree. Found through {@code META-INF/services}; on a runtime without the
 * {@code jdk.jfr} module it gives no listener, and Canopy runs without JFR events.
 *
 * <p>On JDK 25 and later the listener also emits {@code dev.canopy.ContextScope}, the contextual event that tags the
 * JDK's own events with the current context. Only while a recording with that event enabled runs does a tree hear of
 * every scope ({@code makeCurrent()}, wrapped calls, task bodies): a listener call and an event each. The rest of the
 * time scopes cost what they cost before JDK 25 ({@code ContextScopeBenchmark}).
 * {@code -Dcanopy.jfr.contextScope=false}, read as each tree is made, leaves the event out for that tree.
 */
public final class JfrListenerProvider implements ListenerProvider {
    private static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();
    /** The system property that turns the contextual scope event off ({@code false}); on by default. */
    static final String CONTEXT_SCOPE_PROPERTY = "canopy.jfr.contextScope";

    @Override
    public TreeListener forEveryTree() {
        if (!AVAILABLE) {
            return null;
        }
        boolean scopes = ContextScopeEvents.SUPPORTED
                && !"false".equalsIgnoreCase(System.getProperty(CONTEXT_SCOPE_PROPERTY));
        return new JfrListener(scopes);
    }
}
