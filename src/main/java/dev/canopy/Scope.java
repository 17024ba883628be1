package dev.canopy;

/**
 * A region of code in which a context is {@link Canopy#current() current}; closing it restores the context that
 * was current before. Close it on the thread that opened it, in {@code try}-with-resources.
 */
@FunctionalInterface
public interface Scope extends AutoCloseable {
    @Override
    void close();
}
