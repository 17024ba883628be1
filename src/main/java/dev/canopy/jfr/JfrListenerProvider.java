package dev.canopy.jfr;

import dev.canopy.spi.ListenerProvider;
import dev.canopy.spi.TreeListener;

/**
 * Joins Canopy's JFR events to every tree. Found through {@code META-INF/services}; on a runtime without the
 * {@code jdk.jfr} module it gives no listener, and Canopy runs without JFR events.
 */
public final class JfrListenerProvider implements ListenerProvider {
    private static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    @Override
    public TreeListener forEveryTree() {
        return AVAILABLE ? new JfrListener() : null;
    }
}
