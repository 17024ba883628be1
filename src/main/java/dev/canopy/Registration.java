package dev.canopy;

/** A registered callback; {@link #close()} removes it (idempotent). */
@FunctionalInterface
public interface Registration extends AutoCloseable {
    @Override
    void close();
}
