package dev.canopy;

/**
 * A held named lock, read/write lock side or semaphore permits; closing it releases exactly what was acquired
 * (a second close does nothing). Use it in {@code try}-with-resources: {@code try (var held = lock.acquire()) { }}.
 */
@FunctionalInterface
public interface Held extends AutoCloseable {
    @Override
    void close();
}
