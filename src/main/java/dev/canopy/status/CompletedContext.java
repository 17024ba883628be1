package dev.canopy.status;

import dev.canopy.ContextState;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The final snapshot of a {@link Context#persist() persisted} context, kept in the tree's ring of recent
 * completions.
 *
 * @param message     the cancel reason or the failure's message; {@code null} for a normal completion
 * @param failureType the class name of the failure; {@code null} unless {@link ContextState#FAILED}
 */
public record CompletedContext(long id, String name, String path, ContextState state, Instant createdAt,
                               Instant endedAt, Duration duration, String message, String failureType,
                               @JsonSerialize(contentUsing = RawJson.Writer.class) @JsonDeserialize(contentUsing = RawJson.Reader.class)
                            Map<String, String> data) {
    public CompletedContext {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(state, "state");
        data = Map.copyOf(data);
    }
}
