package dev.canopy;

import dev.canopy.internal.Names;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Reads a {@link LiveData} source for a reader (status, JMX, a data lookup): converts each entry as stored data is
 * converted and leaves out what {@code setData} would refuse, so a misbehaving source costs a reader entries, never
 * its answer. Problems are logged once per source class, with the key and value type but never the value, which
 * may be a secret.
 */
final class LiveDataReader {
    private static final System.Logger LOG = System.getLogger(LiveData.class.getName());
    /** Source classes already logged about; bounded by the number of classes that implement the interface. */
    private static final Set<Class<?>> LOGGED = ConcurrentHashMap.newKeySet();

    private LiveDataReader() {
    }

    /** Calls {@code sink} with each usable entry of {@code source}, in the source's order. */
    static void read(LiveData source, String path, BiConsumer<String, JsonNode> sink) {
        try {
            source.describe((key, value) -> {
                JsonNode node;
                try {
                    Names.checkKey("data key", key);
                    node = Json.toNode(key, value);
                } catch (RuntimeException refused) {
                    logOnce(source, "gave data \"" + (key == null ? "null" : Names.escape(key)) + "\" of " + path
                            + " that cannot be stored (" + (value == null ? "null" : value.getClass().getName())
                            + "); it is left out", null);
                    return;
                }
                sink.accept(key, node);
            });
        } catch (RuntimeException e) {
            logOnce(source, "threw while describing " + path + "; what it gave before is shown", e);
        }
    }

    /** The node {@code source} gives for {@code key} (the last, if it gives several), or null. */
    static JsonNode find(LiveData source, String path, String key) {
        JsonNode[] found = new JsonNode[1];
        read(source, path, (k, v) -> {
            if (k.equals(key)) {
                found[0] = v;
            }
        });
        return found[0];
    }

    private static void logOnce(LiveData source, String what, Throwable e) {
        if (LOGGED.add(source.getClass())) {
            LOG.log(System.Logger.Level.WARNING, "live data " + source.getClass().getName() + " " + what
                    + " (further problems of this source class are not logged)", e);
        }
    }
}
