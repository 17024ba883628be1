package dev.canopy;

import java.time.Duration;
import java.time.Instant;

/**
 * Something a context is doing or waiting on — "await database-query" — shown in status as what it is stuck on.
 * Close it when done: {@code try (Operation op = ctx.operation("await database-query")) { ... }}.
 */
public interface Operation extends AutoCloseable {
    String name();

    Instant since();

    Duration duration();

    @Override
    void close();
}
