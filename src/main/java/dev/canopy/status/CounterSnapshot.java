package dev.canopy.status;

/**
 * One counter at a point in time.
 *
 * @param key        the total key, {@code <context path>.<counter>}
 * @param liveKey    the live key, {@code <context path>.live_<counter>}
 * @param countsLive whether {@code incrementLive} was ever called for this counter: one counted only with
 *                   {@code incrementTotal} has no live count worth showing (its {@code live} is always 0), and one
 *                   counted only live has a {@code total} of 0
 */
public record CounterSnapshot(String key, String liveKey, String path, String counter, long total, long live,
                              boolean countsLive, CounterWindows windows) {
}
