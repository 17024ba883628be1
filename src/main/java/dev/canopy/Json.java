package dev.canopy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.NullNode;

/** The one Jackson mapper the library uses. */
final class Json {
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
        if (value instanceof JsonNode node) {
            return node.deepCopy();
        }
        try {
            return MAPPER.valueToTree(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("data value for key \"" + Names.escape(key) + "\" of type "
                    + value.getClass().getName() + " cannot be converted to JSON: " + e.getMessage(), e);
        } catch (StackOverflowError e) {
            // an object graph with a cycle Jackson does not detect itself
            throw new IllegalArgumentException("data value for key \"" + Names.escape(key) + "\" of type "
                    + value.getClass().getName() + " cannot be converted to JSON: it is cyclic or nested too deeply");
        }
    }
}
