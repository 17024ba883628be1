package dev.canopy.status;

/**
 * One counter at a point in time.
 *
 * @param key     the total key, {@code <context path>.<counter>}
 * @param liveKey the live key, {@code <context path>.live_<counter>}
 */
public record CounterSnapshot(String key, String liveKey, String path, String counter, long total, long live,
                              CounterWindows windows) {
}
