package dev.canopy.status;

/**
 * How many increments a total counter had in recent windows. Windows are made of whole buckets (seconds for
 * the last second and minute, minutes for the hour, hours for the day): exact when read at a bucket boundary,
 * and covering up to one bucket more in between.
 *
 * @param ratePerSecond the last minute's count divided by the seconds it covers (fewer than 60 for a new counter)
 */
public record CounterWindows(long lastSecond, long lastMinute, long lastHour, long lastDay, long sinceStart,
                             double ratePerSecond) {
}
