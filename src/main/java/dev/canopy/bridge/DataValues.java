package dev.canopy.bridge;

import dev.canopy.Context;
import dev.canopy.LiveData;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Data values for bridged work, built as the JSON nodes Canopy stores. A bridge sets a few values on every
 * observation or span; handing Canopy a finished immutable node skips the general object-to-JSON conversion, which
 * costs more than the child context itself.
 */
public final class DataValues {
    /** Longer foreign text (a full URL with its query) is cut here: status lines are for reading. */
    public static final int MAX_TEXT = 512;

    private DataValues() {
    }

    /**
     * Text, cut at {@value #MAX_TEXT} characters with a marker, with the values of secret-like query parameters
     * redacted ({@link ForeignNames#withoutSecretQueryValues}): foreign text is often a URL.
     */
    public static Object text(String s) {
        s = ForeignNames.withoutSecretQueryValues(s);
        if (s.length() > MAX_TEXT) {
            s = s.substring(0, MAX_TEXT) + "…(" + s.length() + " chars)";
        }
        return TextNode.valueOf(s);
    }

    /**
     * A scalar from foreign instrumentation as data: strings (cut), booleans, whole and decimal numbers; anything
     * else (arrays) as its text form.
     */
    public static Object of(Object value) {
        if (value instanceof String s) {
            return text(s);
        }
        if (value instanceof Boolean b) {
            return BooleanNode.valueOf(b);
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return LongNode.valueOf(((Number) value).longValue());
        }
        if (value instanceof Double || value instanceof Float) {
            return DoubleNode.valueOf(((Number) value).doubleValue());
        }
        return text(String.valueOf(value));
    }

    /**
     * Copies what {@code source} shows into {@code context}'s own data. For a context that stays in the tree after
     * its work ended (it still waits for children): it then keeps showing what the work was, and the bridge can let
     * go of the observation or span, which would otherwise stay reachable through the context for as long as the
     * children run. Entries Canopy refuses are left out, as a reader would leave them out.
     */
    public static void keep(Context context, LiveData source) {
        source.describe((key, value) -> {
            try {
                context.setData(key, value);
            } catch (RuntimeException refused) {
                // left out, as LiveData's readers leave it out
            }
        });
    }
}
