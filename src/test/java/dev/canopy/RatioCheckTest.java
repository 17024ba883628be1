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
    private static final Path GUARDS = Path.of("bench/regression-guards.properties");

    @Test
    void committedResultsStayWithinEveryRegressionGuard() throws Exception {
        for (Path results : COMMITTED) {
            List<String> lines = new ArrayList<>();
            int worse = RatioCheckAccess.checkGuards(Files.readString(results), GUARDS, lines);
            assertEquals(0, worse, results + ":\n" + String.join("\n", lines));
        }
    }

    @Test
    void aMissedGoalCountsAsMissedAgainstItsTargetWhateverItsGuard() throws Exception {
        for (Path results : COMMITTED) {
            List<String> lines = new ArrayList<>();
            int missed = RatioCheckAccess.checkGoals(Files.readString(results), lines);
            assertEquals(lines.stream().filter(l -> l.startsWith("MISSED")).count(), missed, String.join("\n", lines));
            // no committed run has the named semaphore within 1.5x of the JDK's: reported, not excused by its guard
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("MISSED") && l.contains("semaphore vs Semaphore")),
                    String.join("\n", lines));
        }
    }

    @Test
    void aRegressionPastItsGuardFails() throws Exception {
        String json = Files.readString(COMMITTED.get(0));
        Map<String, Double> scores = RatioCheckAccess.scores(json);
        double mutex = scores.get("dev.canopy.bench.LockBenchmark.mutexLockUnlock");
        // the named mutex made ten times slower than measured
        String doctored = json.replaceFirst(
                "(\"benchmark\"\\s*:\\s*\"dev\\.canopy\\.bench\\.LockBenchmark\\.mutexLockUnlock\",(?s:.*?)\"primaryMetric\"\\s*:\\s*\\{\\s*\"score\"\\s*:\\s*)[0-9.Ee+-]+",
                "$1" + (mutex * 10));
        assertNotEquals(json, doctored, "the doctoring found its target");
        List<String> lines = new ArrayList<>();
        assertEquals(1, RatioCheckAccess.checkGuards(doctored, GUARDS, lines), String.join("\n", lines));
        assertEquals(1, lines.stream().filter(l -> l.startsWith("MISSED") && l.contains("mutex uncontended")).count(),
                String.join("\n", lines));
    }

    @Test
    void aPartialRunIsNotAPass() throws Exception {
        List<String> lines = new ArrayList<>();
        assertEquals(-1, RatioCheckAccess.checkGoals("[]", lines));
        assertTrue(lines.get(0).startsWith("MISSING"));
    }
}
