package dev.canopy;

import dev.canopy.bench.RatioCheckAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The benchmark check passes on the committed results and fails on doctored ones. */
class RatioCheckTest {
    @TempDir
    Path dir;

    private static final List<Path> COMMITTED = List.of(Path.of("bench/results-jdk17.json"), Path.of("bench/results-jdk25.json"));
    private static final Path ACCEPTED = Path.of("bench/accepted-limits.properties");

    @Test
    void committedResultsMeetEveryGoal() throws Exception {
        for (Path results : COMMITTED) {
            List<String> lines = new ArrayList<>();
            int missed = RatioCheckAccess.check(Files.readString(results), ACCEPTED, lines);
            assertEquals(0, missed, results + ":\n" + String.join("\n", lines));
        }
    }

    @Test
    void aDoctoredResultFails() throws Exception {
        String json = Files.readString(COMMITTED.get(0));
        Map<String, Double> scores = RatioCheckAccess.scores(json);
        double mutex = scores.get("dev.canopy.bench.LockBenchmark.mutexLockUnlock");
        // the named mutex made ten times slower than measured
        String doctored = json.replaceFirst(
                "(\"benchmark\"\\s*:\\s*\"dev\\.canopy\\.bench\\.LockBenchmark\\.mutexLockUnlock\",(?s:.*?)\"primaryMetric\"\\s*:\\s*\\{\\s*\"score\"\\s*:\\s*)[0-9.Ee+-]+",
                "$1" + (mutex * 10));
        assertNotEquals(json, doctored, "the doctoring found its target");
        List<String> lines = new ArrayList<>();
        assertEquals(2, RatioCheckAccess.check(doctored, ACCEPTED, lines), String.join("\n", lines));
        assertEquals(2, lines.stream().filter(l -> l.startsWith("MISSED") && l.contains("mutex uncontended")).count(),
                "both the raw and the timed-floor goal catch it: " + String.join("\n", lines));
    }

    @Test
    void aPartialRunIsNotAPass() throws Exception {
        List<String> lines = new ArrayList<>();
        assertEquals(-1, RatioCheckAccess.check("[]", ACCEPTED, lines));
        assertTrue(lines.get(0).startsWith("MISSING"));
    }
}
