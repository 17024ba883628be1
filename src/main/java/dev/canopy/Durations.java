package dev.canopy;

import java.time.Duration;

/** Human durations: {@code 0.4s}, {@code 12.3s}, {@code 23m 12s}, {@code 2h 15m 32s}, {@code 5d 12h}. */
final class Durations {
    private Durations() {
    }

    static String human(Duration d) {
        long millis = Math.max(0, d.toMillis());
        if (millis < 60_000) {
            long tenths = millis / 100;
            return (tenths / 10) + "." + (tenths % 10) + "s";
        }
        long s = millis / 1000;
        if (s < 3600) {
            return (s / 60) + "m " + (s % 60) + "s";
        }
        if (s < 86_400) {
            return (s / 3600) + "h " + (s % 3600 / 60) + "m " + (s % 60) + "s";
        }
        return (s / 86_400) + "d " + (s % 86_400 / 3600) + "h";
    }
}
