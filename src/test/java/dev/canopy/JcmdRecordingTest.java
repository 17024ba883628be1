package dev.canopy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** What an operator does: jcmd JFR.start with the JDK's template and ours, JFR.dump, then the jfr tool. */
class JcmdRecordingTest {
    @TempDir
    Path dir;

    @Test
    void jcmdRecordsCanopyEventsInTheDemo() throws Exception {
        Path template = Path.of("jfr-templates/canopy.jfc").toAbsolutePath();
        try (DemoProcess demo = DemoProcess.start()) {
            String pid = String.valueOf(demo.pid);
            String jcmd = DemoProcess.tool("jcmd").toString();
            String started = DemoProcess.run(List.of(jcmd, pid, "JFR.start", "name=canopy-test",
                    "settings=default", "settings=" + template));
            assertTrue(started.contains("Started recording"), started);
            Path file = dir.resolve("demo.jfr");
            String summary = "";
            // the demo ends a request every few hundred milliseconds: dump until the recording holds some
            for (int attempt = 0; attempt < 60 && !summary.matches("(?s).*dev\\.canopy\\.ContextEnd\\s+[1-9].*"); attempt++) {
                DemoProcess.run(List.of(jcmd, pid, "JFR.dump", "name=canopy-test", "filename=" + file));
                summary = DemoProcess.run(List.of(DemoProcess.tool("jfr").toString(), "summary", file.toString()));
            }
            assertTrue(summary.matches("(?s).*dev\\.canopy\\.ContextEnd\\s+[1-9].*"), summary);
            assertTrue(summary.contains("jdk.ThreadSleep") || summary.contains("jdk.CPULoad"),
                    "the JDK's default events are there too: " + summary);
            String json = DemoProcess.run(List.of(DemoProcess.tool("jfr").toString(), "print", "--json", "--events",
                    "dev.canopy.ContextEnd", file.toString()));
            var events = Json.MAPPER.readTree(json).get("recording").get("events");
            assertTrue(events.size() > 0);
            var first = events.get(0).get("values");
            assertTrue(first.get("path").asText().startsWith("global."), first.toString());
            assertTrue(List.of("completed", "failed", "cancelled").contains(first.get("outcome").asText()));
            assertTrue(Files.size(file) > 0);
        }
    }

    @Test
    void theTemplateMergesWithTheJdksOwn() throws Exception {
        Path merged = dir.resolve("merged.jfc");
        Path jdkDefault = DemoProcess.javaHome().resolve("lib/jfr/default.jfc");
        DemoProcess.run(List.of(DemoProcess.tool("jfr").toString(), "configure", "--input",
                jdkDefault + "," + Path.of("jfr-templates/canopy.jfc").toAbsolutePath(), "--output", merged.toString(),
                "canopy-lock-threshold=50 ms"));
        var settings = jdk.jfr.Configuration.create(merged).getSettings();
        assertEquals("50 ms", settings.get("dev.canopy.LockWait#threshold"));
        assertEquals("true", settings.get("dev.canopy.ContextEnd#enabled"));
        assertEquals("20 ms", settings.get("jdk.JavaMonitorEnter#threshold"), "the JDK's settings survive");
    }
}
