package dev.canopy.cli;

import jdk.management.jfr.FlightRecorderMXBean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;

/** What {@code canopy record} says and leaves behind when it is stopped (Ctrl-C) at each moment of its work. */
class RecorderCleanUpTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final TargetCalls calls = new TargetCalls(Duration.ofSeconds(5));
    private final Recorder recorder = new Recorder(new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(errBytes, true, StandardCharsets.UTF_8), calls);

    @AfterEach
    void closeCalls() {
        calls.close();
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8).strip();
    }

    private Path part() throws Exception {
        return Files.write(dir.resolve("r.jfr.part"), new byte[] {1, 2, 3});
    }

    @Test
    void stoppedJustAfterSavingSaysWhereTheRecordingIs() throws Exception {
        Path part = part();
        Path file = dir.resolve("r.jfr");
        Recorder.Interrupted cleanUp = recorder.cleanUpFor("4242", part);
        cleanUp.recording(mock(FlightRecorderMXBean.class), 7);
        cleanUp.recordingClosed();
        cleanUp.save(part, file);
        cleanUp.run();
        assertEquals("canopy: stopped; the recording was saved to " + file, err());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file), "the saved file is kept");
    }

    @Test
    void stoppedAfterTheRecordingWasClosedButBeforeSavingLeavesNothingAndClosesNothingTwice() throws Exception {
        Path part = part();
        FlightRecorderMXBean jfr = mock(FlightRecorderMXBean.class);
        Recorder.Interrupted cleanUp = recorder.cleanUpFor("4242", part);
        cleanUp.recording(jfr, 7);
        cleanUp.recordingClosed();
        cleanUp.run();
        assertEquals("canopy: stopped; the recording in 4242 was closed, saved nothing", err());
        verifyNoInteractions(jfr);
        assertFalse(Files.exists(part));
        Target.Failure late = assertThrows(Target.Failure.class, () -> cleanUp.save(part, dir.resolve("r.jfr")));
        assertEquals("stopped before the recording was saved", late.getMessage());
        assertFalse(Files.exists(dir.resolve("r.jfr")));
    }

    @Test
    void stoppedBeforeRecordingRemovesThePart() throws Exception {
        Path part = part();
        recorder.cleanUpFor("4242", part).run();
        assertEquals("canopy: stopped before recording; saved nothing", err());
        assertFalse(Files.exists(part));
    }
}
