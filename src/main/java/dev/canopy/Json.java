package dev.canopy;

import dev.canopy.internal.Names;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;

/** The one Jackson mapper the library uses. */
final class Json {
    /** What a secret's value is replaced with wherever it would leave the process. */
    static final String REDACTED = "<redacted>";
    /** {@link #REDACTED} as a JSON value. */
    static final String REDACTED_JSON = "\"" + REDACTED + "\"";
    /** The largest data value, as JSON: beyond, values are refused rather than carried into every status. */
    static final int MAX_VALUE_CHARS = 64 * 1024;

    static final ObjectMapper MAPPER = new ObjectMapper()
            .findAndRegisterModules()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private Json() {
    }

    /** Converts any Jackson-serialisable value, refusing (with the key named) what cannot be. */
    static JsonNode toNode(String key, Object value) {
        if (value == null) {
            return NullNode.getInstance();
        }
        // the common scalars directly, as Jackson would convert them, without its serializer lookup
        if (value instanceof String text) {
            JsonNode node = TextNode.valueOf(text);
            checkSize(key, node);
            return node;
        }
        if (value instanceof Boolean flag) {
            return BooleanNode.valueOf(flag);
        }
        if (value instanceof Long number) {
            return LongNode.valueOf(number);
        }
        if (value instanceof Integer number) {
            return IntNode.valueOf(number);
        }
        if (value instanceof JsonNode node) {
            JsonNode copy = node.deepCopy();
            checkSize(key, copy);
            return copy;
        }
        JsonNode node;
        try {
            node = MAPPER.valueToTree(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("data value for key \"" + Names.escape(key) + "\" of type "
                    + value.getClass().getName() + " cannot be converted to JSON: " + e.getMessage(), e);
        } catch (StackOverflowError e) {
            // an object graph with a cycle Jackson does not detect itself
            throw new IllegalArgumentException("data value for key \"" + Names.escape(key) + "\" of type "
                    + value.getClass().getName() + " cannot be converted to JSON: it is cyclic or nested too deeply");
        }
        checkSize(key, node);
        return node;
    }

    private static void checkSize(String key, JsonNode node) {
        // cheap for the common case: short text and numbers are measured without serialising
        if (node.isTextual() && node.textValue().length() <= MAX_VALUE_CHARS / 2) {
            return;
        }
        if (node.isValueNode() && !node.isTextual()) {
            return;
        }
        int size = node.toString().length();
        if (size > MAX_VALUE_CHARS) {
            throw new IllegalArgumentException(String.format("data value for key \"%s\" is %,d characters as JSON; "
                    + "the limit is %,d (keep large payloads elsewhere and store a reference)",
                    Names.escape(key), size, MAX_VALUE_CHARS));
        }
    }
}
