package dev.canopy.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The moment {@code canopy jfr tree --at} asks for, in one of these forms:
 * <ul>
 *   <li>{@code start} or {@code end}: when the recording started, and when it stopped or was dumped (what was stuck
 *       then: the locks held and awaited at that moment are recorded however short);</li>
 *   <li>an offset from the recording's start: {@code +1.5s}, {@code +250ms}, {@code +2m}, {@code +1m30s};</li>
 *   <li>a time of day in UTC, as {@code jfr timeline} prints it: {@code 14:44:22.250} (on whichever day of the
 *       recording holds it), so a time can be copied from the timeline;</li>
 *   <li>an ISO-8601 instant: {@code 2024-05-01T14:44:22.250Z}, with an offset ({@code +02:00}) or without (UTC).</li>
 * </ul>
 * A value in none of them, or outside the recording, is a usage error naming the value.
 */
final class MomentArgument {
    private static final Pattern OFFSET_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
    private static final Pattern TIME_OF_DAY = Pattern.compile("\\d{1,2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?");
    private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private MomentArgument() {
    }

    static Instant resolve(String text, Instant recordingStart, Instant recordingEnd) throws Target.Failure {
        String t = text.strip();
        Instant at;
        if (t.equalsIgnoreCase("start")) {
            return recordingStart;
        } else if (t.equalsIgnoreCase("end")) {
            return recordingEnd;
        } else if (t.startsWith("+")) {
            at = recordingStart.plus(offset(text, t.substring(1)));
        } else if (TIME_OF_DAY.matcher(t).matches()) {
            at = onTheRecordingsDay(text, t, recordingStart, recordingEnd);
        } else if (t.contains("T")) {
            at = isoInstant(text, t);
        } else {
            throw bad(text);
        }
        if (at.isBefore(recordingStart) || at.isAfter(recordingEnd)) {
            throw new Target.Failure("--at " + text + " is outside the recording, which runs from "
                    + SHOWN.format(recordingStart) + " to " + SHOWN.format(recordingEnd) + " UTC (+0s to +"
                    + seconds(Duration.between(recordingStart, recordingEnd)) + ")", 2);
        }
        return at;
    }

    private static Duration offset(String text, String spec) throws Target.Failure {
        if (spec.matches("\\d+(\\.\\d+)?")) {
            spec = spec + "s"; // a bare number counts seconds
        }
        Matcher m = OFFSET_PART.matcher(spec);
        Duration total = Duration.ZERO;
        int consumed = 0;
        while (m.lookingAt()) {
            BigDecimal amount = new BigDecimal(m.group(1));
            long unitNanos = switch (m.group(2)) {
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            BigDecimal nanos = amount.multiply(BigDecimal.valueOf(unitNanos));
            if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0) {
                throw bad(text);
            }
            total = total.plusNanos(nanos.longValue());
            consumed = m.end();
            m.region(consumed, spec.length());
        }
        if (consumed == 0 || consumed != spec.length()) {
            throw bad(text);
        }
        return total;
    }

    private static Instant onTheRecordingsDay(String text, String t, Instant start, Instant end)
            throws Target.Failure {
        LocalTime time;
        try {
            time = LocalTime.parse(t.indexOf(':') == 1 ? "0" + t : t);
        } catch (DateTimeParseException e) {
            throw bad(text);
        }
        LocalDate first = LocalDate.ofInstant(start, ZoneOffset.UTC);
        LocalDate last = LocalDate.ofInstant(end, ZoneOffset.UTC);
        Instant candidate = null;
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            candidate = day.atTime(time).toInstant(ZoneOffset.UTC);
            if (!candidate.isBefore(start) && !candidate.isAfter(end)) {
                return candidate;
            }
        }
        return candidate; // on none of the recording's days: reported as outside the recording
    }

    private static Instant isoInstant(String text, String t) throws Target.Failure {
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException withoutOffset) {
            try {
                return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw bad(text);
            }
        }
    }

    private static Target.Failure bad(String text) {
        return new Target.Failure("--at takes start, end, an offset into the recording (+1.5s, +250ms, +1m30s), a "
                + "UTC time of day (14:44:22.250) or an ISO instant (2024-05-01T14:44:22.250Z), not \"" + text + "\"",
                2);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3fs", d.toNanos() / 1e9);
    }
}
