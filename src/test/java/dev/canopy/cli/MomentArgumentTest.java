package dev.canopy.cli;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.*;

/** The three ways to name a moment of a recording, and what is refused. */
class MomentArgumentTest {
    /** A recording across midnight UTC, so a time of day must pick the right day. */
    private static final Instant START = Instant.parse("2024-05-01T23:59:58.500Z");
    private static final Instant END = Instant.parse("2024-05-02T00:00:03.500Z");

    @Test
    void offsetsCountFromTheRecordingsStart() throws Exception {
        assertEquals(START, at("+0s"));
        assertEquals(START.plusMillis(1500), at("+1.5s"));
        assertEquals(START.plusMillis(1500), at("+1500ms"));
        assertEquals(START.plusSeconds(2), at("+2")); // a bare number counts seconds
    }

    @Test
    void compositeOffsetsAndFractionsOfAMillisecond() throws Exception {
        Instant start = Instant.parse("2024-05-01T10:00:00Z");
        Instant end = start.plus(Duration.ofHours(2));
        assertEquals(start.plusSeconds(90), MomentArgument.resolve("+1m30s", start, end));
        assertEquals(start.plusNanos(1_234_567), MomentArgument.resolve("+1.234567ms", start, end));
        assertEquals(start.plus(Duration.ofHours(1)), MomentArgument.resolve("+1h", start, end));
    }

    @Test
    void aTimeOfDayIsUtcOnWhicheverDayOfTheRecordingHoldsIt() throws Exception {
        assertEquals(Instant.parse("2024-05-01T23:59:59.250Z"), at("23:59:59.250"));
        assertEquals(Instant.parse("2024-05-02T00:00:01Z"), at("00:00:01"));
        assertEquals(Instant.parse("2024-05-02T00:00:01Z"), at("0:00:01"));
    }

    @Test
    void isoInstantsWithOrWithoutAnOffset() throws Exception {
        assertEquals(Instant.parse("2024-05-02T00:00:01Z"), at("2024-05-02T00:00:01Z"));
        assertEquals(Instant.parse("2024-05-02T00:00:01Z"), at("2024-05-02T02:00:01+02:00"));
        assertEquals(Instant.parse("2024-05-02T00:00:01Z"), at("2024-05-02T00:00:01"));
    }

    @Test
    void badValuesAndMomentsOutsideTheRecordingAreNamed() {
        for (String bad : new String[]{"soon", "+", "+1.5 s", "+1x", "+-1s", "24:61", "2024-05-02"}) {
            Target.Failure f = assertThrows(Target.Failure.class, () -> at(bad), bad);
            assertEquals(2, f.exitCode);
            assertTrue(f.getMessage().endsWith("not \"" + bad + "\""), f.getMessage());
        }
        Target.Failure late = assertThrows(Target.Failure.class, () -> at("+6s"));
        assertEquals("--at +6s is outside the recording, which runs from 23:59:58.500 to 00:00:03.500 UTC "
                + "(+0s to +5.000s)", late.getMessage());
        Target.Failure noon = assertThrows(Target.Failure.class, () -> at("12:00"));
        assertTrue(noon.getMessage().startsWith("--at 12:00 is outside the recording"), noon.getMessage());
    }

    private static Instant at(String text) throws Target.Failure {
        return MomentArgument.resolve(text, START, END);
    }
}
