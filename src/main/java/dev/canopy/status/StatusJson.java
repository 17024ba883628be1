package dev.canopy.status;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.core.JsonFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * The status JSON schema: durations as whole milliseconds, instants as ISO-8601 strings. Written here rather than
 * with a date/time module so the format is ours to keep stable, with jackson-databind as the only dependency.
 */
final class StatusJson {
    /** Deep enough for any tree a snapshot keeps (see {@link StatusBuilder#MAX_DEPTH}). */
    private static final int MAX_NESTING = 2_000;

    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                    .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                    .build())
            .addModule(new SimpleModule("canopy-status")
                    .addSerializer(Duration.class, new DurationMillis())
                    .addDeserializer(Duration.class, new DurationFromMillis())
                    .addSerializer(Instant.class, new InstantIso())
                    .addDeserializer(Instant.class, new InstantFromIso()))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // newer writers may add fields
            .build();

    private StatusJson() {
    }

    private static final class DurationMillis extends JsonSerializer<Duration> {
        @Override
        public void serialize(Duration value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeNumber(value.toMillis());
        }
    }

    private static final class DurationFromMillis extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return Duration.ofMillis(p.getValueAsLong());
        }
    }

    private static final class InstantIso extends JsonSerializer<Instant> {
        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(value.toString());
        }
    }

    private static final class InstantFromIso extends JsonDeserializer<Instant> {
        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            try {
                return Instant.parse(p.getValueAsString());
            } catch (java.time.format.DateTimeParseException e) {
                throw ctxt.weirdStringException(p.getValueAsString(), Instant.class, "not an ISO-8601 instant");
            }
        }
    }
}
