package dev.canopy.status;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;

import java.io.IOException;

/**
 * Context data in snapshots is JSON text (so no Jackson type appears in the public model), while the status JSON
 * carries each value as JSON itself, not as a string holding JSON: the {@code canopy.status/1} schema. These two
 * translate.
 */
final class RawJson {
    private RawJson() {
    }

    static final class Writer extends JsonSerializer<String> {
        @Override
        public void serialize(String json, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeRawValue(json);
        }
    }

    static final class Reader extends JsonDeserializer<String> {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return p.readValueAsTree().toString();
        }
    }
}
