package dev.canopy;

import dev.canopy.spi.ListenerProvider;
import dev.canopy.spi.TreeListener;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * The {@link ListenerProvider}s on Canopy's own class path, loaded once. A provider that cannot load (the JFR one
 * on a runtime without {@code jdk.jfr}) is skipped with a log line: the tree works without that surface.
 */
final class Providers {
    private static final System.Logger LOG = System.getLogger(Providers.class.getName());

    private Providers() {
    }

    private static final class Loaded {
        static final List<ListenerProvider> ALL = load();

        private static List<ListenerProvider> load() {
            List<ListenerProvider> out = new ArrayList<>();
            // Canopy's own class loader: in an agent's extension loader or an application server, the surfaces
            // shipped beside this copy of Canopy are the ones that fit it
            var it = ServiceLoader.load(ListenerProvider.class, Providers.class.getClassLoader()).iterator();
            while (true) {
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    out.add(it.next());
                } catch (ServiceConfigurationError | LinkageError e) {
                    LOG.log(System.Logger.Level.INFO, "a Canopy surface is not available here: " + e);
                }
            }
            return List.copyOf(out);
        }
    }

    static List<ListenerProvider> all() {
        return Loaded.ALL;
    }

    /** Asks a provider for a listener; one that cannot work on this runtime gives none. */
    static TreeListener call(ListenerProvider p, Function<ListenerProvider, TreeListener> ask) {
        try {
            return ask.apply(p);
        } catch (LinkageError e) {
            LOG.log(System.Logger.Level.INFO, "Canopy surface " + p.getClass().getName() + " is not available: " + e);
            return null;
        }
    }
}
