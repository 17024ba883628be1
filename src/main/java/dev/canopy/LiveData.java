package dev.canopy;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Data a context shows without storing it: read from the object that describes the work (a request, an
 * observation, a span) each time the context is looked at, instead of copied into the context when it opens.
 * <pre>{@code
 * ctx.child("request").withLiveData(out -> {
 *     out.accept("method", request.method());
 *     out.accept("bytesRead", request.bytesRead());
 * }).open();
 * }</pre>
 *
 * <p>Use it where copying would cost more than the context itself (instrumentation that runs on every request and
 * already holds the description), or where the value changes while the work runs. Opening such a context costs one
 * reference; the describing happens on the reading side: {@link Context#dataJson()}, {@link Context#getData},
 * status, JMX, and the completion record of a {@linkplain ContextBuilder#persist() persisted} context (read once,
 * as it ends).
 *
 * <ul>
 *   <li>Values are converted as {@link Context#setData(String, Object)} converts them. Data set on the context
 *       itself wins over a live value with the same key.</li>
 *   <li>Keys named by {@link ContextTree.Builder#redactKeys} are shown as {@code "<redacted>"} wherever data
 *       leaves the process, as for stored data; a secret set with {@link Context#setSecret} wins over a live value
 *       of its key, so it stays redacted too.</li>
 *   <li>A reader never fails because of the source: an entry whose key or value would be refused by
 *       {@code setData} is left out, and if {@link #describe} throws, the entries given before are kept. Both are
 *       logged once per source class, naming the key and the value's type, never the value (nor the message of
 *       what the source threw, which may quote one).</li>
 *   <li>{@link Context#setData(String, Object) setData(key, null)} hides a live value of that key, as it removes a
 *       stored one; setting the key again shows the new stored value.</li>
 * </ul>
 */
@FunctionalInterface
public interface LiveData {
    /**
     * Hands the current entries to {@code out}, one call per key. Runs on the reading thread (a status request, a
     * JMX client), possibly while the work itself runs on another, and possibly after the context ended; it must
     * be safe for that, quick, and must not block.
     */
    void describe(BiConsumer<String, Object> out);

    /**
     * The value {@link #describe} would give for {@code key} (the last one, if it gives several), or null. Called
     * when one key is looked up ({@link Context#getData}, {@link Context#getDataJson}); the default describes
     * everything and picks. Override it when one key is cheaper to read, giving exactly what {@code describe} gives.
     */
    default Object value(String key) {
        Object[] found = new Object[1];
        describe((k, v) -> {
            if (key.equals(k)) {
                found[0] = v;
            }
        });
        return found[0];
    }

    /**
     * Hands the values of entries this source holds but leaves out of {@link #describe} because they are secrets
     * (a span's authorization header), one call per value. They are never shown: {@link Context#withoutSecrets}
     * searches for them, so a failure message or cancel reason quoting one leaves the process without it. Called
     * with the same care as {@code describe} (any thread, possibly after the context ended); the default gives none.
     */
    default void withheldSecrets(Consumer<String> out) {
    }
}
