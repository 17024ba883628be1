package dev.canopy.jmx;

import dev.canopy.spi.ListenerProvider;
import dev.canopy.spi.TreeListener;

/**
 * Shows Canopy's default tree over JMX, as {@code -Dcanopy.jmx.*} system properties say
 * ({@link JmxPolicy#fromSystemProperties()}). Found through {@code META-INF/services}. An application that adds its
 * own {@link JmxExporter} in {@code Canopy.configure} replaces this one.
 */
public final class JmxListenerProvider implements ListenerProvider {
    private static final boolean AVAILABLE = ModuleLayer.boot().findModule("java.management").isPresent();

    @Override
    public TreeListener forDefaultTree() {
        if (!AVAILABLE) {
            return null;
        }
        JmxPolicy policy = JmxPolicy.fromSystemProperties();
        return policy == null ? null : JmxExporter.create(policy);
    }
}
