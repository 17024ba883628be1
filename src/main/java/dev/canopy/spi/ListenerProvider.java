package dev.canopy.spi;

/**
 * A surface that joins trees by itself, found with {@link java.util.ServiceLoader} (list the implementation in
 * {@code META-INF/services/dev.canopy.spi.ListenerProvider}). Canopy's JFR events come this way; an application
 * does not normally implement it.
 */
public interface ListenerProvider {
    /** A new listener for each tree as it is built, or {@code null}. */
    default TreeListener forEveryTree() {
        return null;
    }

    /**
     * A listener for Canopy's default tree ({@code Canopy.tree()}), or {@code null}. Skipped when the application's
     * {@code Canopy.configure} added a listener of the same class: its own configuration wins.
     */
    default TreeListener forDefaultTree() {
        return null;
    }
}
