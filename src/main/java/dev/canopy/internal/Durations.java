package dev.canopy.internal;

import java.time.Duration;

/** Human durations: {@code 0.4s}, {@code 12.3s}, {@code 23m 12s}, {@code 2h 15m 32s}, {@code 5d 12h}. */
public final class Durations {
    private Durations() {
    }

    /** Parses {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 3m}, {@code 1h}; {@code what} names it in errors. */
    public static Duration parse(String what, String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
            }
            if (t.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1).trim()) * 1000));
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1).trim()));
            }
            if (t.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1).trim()));
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException(what + " must be a duration like 500ms, 2s, 3m or 1h, not \""
                + Names.escape(text) + "\"");
    }

    public static String human(Duration d) {
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

    /** {@code 512B}, {@code 1.5KB}, {@code 230MB}. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + "B";
        }
        String[] units = {"KB", "MB", "GB", "TB", "PB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, v < 100 ? "%.1f%s" : "%.0f%s", v, units[u]);
    }
}
