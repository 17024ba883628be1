package dev.canopy;

import dev.canopy.internal.Names;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Reads a {@link LiveData} source for a reader (status, JMX, a data lookup): converts each entry as stored data is
 * converted and leaves out what {@code setData} would refuse, so a misbehaving source costs a reader entries, never
 * its answer. Problems are logged once per source class, with the key and value type but never the value, which
 * may be a secret.
 */
final class LiveDataReader {
    private static final System.Logger LOG = System.getLogger(LiveData.class.getName());
    /**
     * Names of the source classes already logged about (names, so no class loader is kept alive), bounded so that
     * generated classes cannot grow it without end.
     */
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();
    private static final int MAX_LOGGED = 1_000;

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

    /** Calls {@code sink} with each value {@code source} withholds as a secret ({@link LiveData#withheldSecrets}). */
    static void readWithheld(LiveData source, String path, Consumer<String> sink) {
        try {
            source.withheldSecrets(value -> {
                if (value != null) {
                    sink.accept(value);
                }
            });
        } catch (RuntimeException e) {
            logOnce(source, "threw while giving the secrets of " + path + " it withholds; what it gave before is "
                    + "searched for", e);
        }
    }

    /** The node {@code source} gives for {@code key} ({@link LiveData#value}), or null. */
    static JsonNode find(LiveData source, String path, String key) {
        Object value;
        try {
            value = source.value(key);
        } catch (RuntimeException e) {
            logOnce(source, "threw while looking up data \"" + Names.escape(key) + "\" of " + path, e);
            return null;
        }
        if (value == null) {
            return null;
        }
        try {
            return Json.toNode(key, value);
        } catch (RuntimeException refused) {
            logOnce(source, "gave data \"" + Names.escape(key) + "\" of " + path + " that cannot be stored ("
                    + value.getClass().getName() + "); it is left out", null);
            return null;
        }
    }

    private static void logOnce(LiveData source, String what, Throwable e) {
        String name = source.getClass().getName();
        if (LOGGED.size() < MAX_LOGGED && LOGGED.add(name)) {
            LOG.log(System.Logger.Level.WARNING, "live data " + name + " " + what
                    + " (further problems of this source class are not logged)", e == null ? null : withoutMessage(e));
        }
    }

    /** What was thrown, where, but not its message: a source's exception may quote the value it choked on. */
    private static Throwable withoutMessage(Throwable e) {
        Throwable shown = new Throwable(e.getClass().getName() + " (message withheld: it may quote a value)");
        shown.setStackTrace(e.getStackTrace());
        return shown;
    }
}
