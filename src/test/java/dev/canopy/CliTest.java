package dev.canopy;

import dev.canopy.status.Status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.canopy.cli.CanopyCli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The CLI's main driven against separate JVMs, as a user runs it. */
class CliTest {
    private static DemoProcess demo;
    private static String pid;

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
    }

    static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = CanopyCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void startDemo() throws Exception {
        demo = DemoProcess.start("-Dcanopy.jmx.threshold=200ms");
        pid = String.valueOf(demo.pid);
    }

    @AfterAll
    static void stopDemo() throws Exception {
        demo.close();
    }

    @Test
    void statusPrintsTheTree() {
        Result r = cli("status", pid, "--no-color");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("global ("), r.out());
        assertTrue(r.out().contains("├── remote-access"), r.out());
        assertTrue(r.out().contains("System: CPU"), r.out());
        assertFalse(r.out().contains("\u001b["), "no colour when asked");
    }

    @Test
    void statusJsonIsTheDocumentedSchema() throws Exception {
        Result r = cli("status", pid, "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = Json.MAPPER.readTree(r.out());
        assertEquals("canopy.status/1", json.get("schema").asText());
        assertEquals("global", json.get("root").get("name").asText());
        assertTrue(json.get("root").get("children").size() >= 3);
        assertEquals("global", Status.fromJson(r.out().strip()).root().name());
    }

    @Test
    void statusOfSeveralTargetsAndOneBranch() {
        Result r = cli("status", pid + "," + pid, "--no-color", "--path", "global.http-proxy");
        assertEquals(0, r.exit(), r.err());
        assertEquals(2, r.out().lines().filter(l -> l.startsWith("== " + pid)).count());
        assertFalse(r.out().contains("remote-access"), r.out());
    }

    @Test
    void watchRedrawsWhenTheTreeChanges() {
        Result r = cli("status", pid, "-w", "--interval", "100ms", "--updates", "3", "--no-color");
        assertEquals(0, r.exit(), r.err());
        assertEquals(3, r.out().lines().filter(l -> l.matches("\\S+ global \\(.*")).count(), "three screens: " + r.out());
        assertFalse(r.out().contains("\u001b"), "no screen clearing into what is not a terminal");
        Result noBranch = cli("status", pid, "-w", "--updates", "1", "--path", "global.no-such-branch");
        assertEquals(1, noBranch.exit(), noBranch.out());
        assertEquals("canopy: " + pid + ": no context at global.no-such-branch", noBranch.err().strip());
    }

    @Test
    void watchKeepsCountingATreeThatDoesNotChangeAndStopsAfterNScreens() throws Exception {
        try (DemoProcess stuck = DemoProcess.startMain("dev.canopy.StuckLockJvm", List.of())) {
            Result r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                    () -> cli("status", String.valueOf(stuck.pid), "-w", "--interval", "300ms", "--updates", "3",
                            "--no-color", "--path", "global.service"));
            assertEquals(0, r.exit(), r.err());
            List<String> held = java.util.regex.Pattern.compile("HOLDS \"orders\" \\(([0-9.]+)s held\\)")
                    .matcher(r.out()).results().map(m -> m.group(1)).toList();
            assertEquals(3, held.size(), "three screens: " + r.out());
            assertTrue(Double.parseDouble(held.get(2)) > Double.parseDouble(held.get(0)),
                    "the hold's time grows from screen to screen: " + held);
        }
    }

    @Test
    void optionsThatDoNotApplyAreRefusedNotIgnored() {
        Result json = cli("deadlocks", pid, "--json");
        assertEquals(2, json.exit());
        assertEquals("canopy: option --json does not apply to deadlocks (see canopy deadlocks --help)",
                json.err().strip());
        Result branchAsJson = cli("status", pid, "--json", "--path", "global.http-proxy");
        assertEquals(2, branchAsJson.exit());
        assertTrue(branchAsJson.err().contains("--json prints the whole status"), branchAsJson.err());
        Result noBranch = cli("status", pid, "--no-color", "--path", "global.no-such-branch");
        assertEquals(1, noBranch.exit());
        assertEquals("canopy: " + pid + ": no context at global.no-such-branch", noBranch.err().strip());

        Map<List<String>, String> refused = new LinkedHashMap<>();
        refused.put(List.of("list", "--json"), "option --json does not apply to list (see canopy list --help)");
        refused.put(List.of("list", pid), "list takes no arguments, not \"" + pid + "\"");
        refused.put(List.of("record", pid, "--json"), "option --json does not apply to record (see canopy record --help)");
        refused.put(List.of("jfr", "tree", "x.jfr", "--json"), "option --json does not apply to jfr (see canopy jfr --help)");
        refused.put(List.of("jfr", "tree", "x.jfr", "--path", "global"), "option --path goes with jfr timeline only");
        refused.put(List.of("jfr", "tree", "x.jfr", "--user", "u"), "option --user does not apply to jfr (see canopy jfr --help)");
        refused.put(List.of("status", pid, "--updates", "3"), "option --updates goes with -w (watch)");
        refused.put(List.of("status", pid, "--interval", "1s"), "option --interval goes with -w (watch)");
        refused.put(List.of("status", pid, "--json", "--expand"), "option --expand draws the tree; --json prints all of it");
        refused.put(List.of("status", pid, "--password-file", "pw"), "--password-file goes with --user NAME");
        refused.put(List.of("status", pid, "--timeout", "0s"), "--timeout takes a positive duration like 500ms, 30s, 2m, not \"0s\"");
        refused.put(List.of("demo", "--duration"), "--duration needs a value (try 30s, 500ms, 2m)");
        refused.put(List.of("demo", "--interval", "0s"), "--interval takes a positive duration like 30s, 500ms, 2m, not \"0s\"");
        refused.forEach((args, message) -> {
            Result r = cli(args.toArray(new String[0]));
            assertEquals(2, r.exit(), args + ": " + r.err());
            assertEquals("canopy: " + message, r.err().strip(), args.toString());
            assertEquals("", r.out(), args.toString());
        });
    }

    @Test
    void severalTargetsAreEachShownAndEachFailureReported() throws Exception {
        Result r = cli("status", pid + ",999999999", "--no-color");
        assertEquals(1, r.exit(), "one target failed");
        assertTrue(r.out().startsWith("== " + pid + "\n"), r.out());
        assertTrue(r.out().contains("remote-access"), "the target that answered is shown: " + r.out());
        assertEquals("canopy: no such process: 999999999", r.err().strip());

        Result json = cli("status", "999999999," + pid, "--json");
        assertEquals(1, json.exit());
        List<String> lines = json.out().lines().toList();
        assertEquals(1, lines.size(), json.out());
        JsonNode line = Json.MAPPER.readTree(lines.get(0));
        assertEquals(pid, line.get("target").asText(), "each line says which target it is from");
        assertEquals("canopy.status/1", line.get("status").get("schema").asText());
        assertEquals("global", Status.fromJson(line.get("status").toString()).root().name());
    }

    @Test
    void aTargetWhoseStatusCannotBeReadIsReportedAndTheOthersStillShown() throws Exception {
        try (DemoProcess newer = DemoProcess.startMain("dev.canopy.NewerCanopyJvm", List.of())) {
            String target = String.valueOf(newer.pid);
            String why = "canopy: " + target + ": could not read its status: IllegalArgumentException: unsupported "
                    + "status schema \"canopy.status/2\"; this version reads canopy.status/1";
            Result both = cli("status", target + "," + pid, "--no-color");
            assertEquals(1, both.exit(), both.err());
            assertEquals(why, both.err().strip());
            assertTrue(both.out().startsWith("== " + pid + "\n") && both.out().contains("remote-access"),
                    "the target after it is still shown: " + both.out());
            Result one = cli("status", target, "--json");
            assertEquals(1, one.exit());
            assertEquals(why, one.err().strip());
            assertEquals("", one.out());
        }
    }

    @Test
    void aStoppedJvmFailsTheCommandAfterTheTimeoutInsteadOfHangingIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/stat")), "reads /proc");
        try (DemoProcess stopped = DemoProcess.startMain("dev.canopy.StuckLockJvm", List.of())) {
            String target = String.valueOf(stopped.pid);
            assertEquals(0, cli("status", target, "--no-color").exit(), "its management agent now listens");
            signal("STOP", stopped.pid);
            try {
                TestTrees.awaitTrue("stopped", () -> processState(stopped.pid) == 'T');
                Result status = assertTimeoutPreemptively(Duration.ofSeconds(60),
                        () -> cli("status", target, "--timeout", "1s"));
                assertEquals(1, status.exit());
                assertEquals("canopy: " + target + " did not answer within 1.0s (is the JVM stopped or paused?); "
                        + "--timeout sets how long to wait", status.err().strip());
                Result both = assertTimeoutPreemptively(Duration.ofSeconds(60),
                        () -> cli("status", target + "," + pid, "--timeout", "1s", "--no-color"));
                assertEquals(1, both.exit());
                assertTrue(both.err().contains(target + " did not answer within 1.0s"), both.err());
                assertTrue(both.out().contains("== " + pid + "\n") && both.out().contains("remote-access"),
                        "the target that answers is still read, though the one before it blocks a thread: "
                                + both.out());
                Result cancel = assertTimeoutPreemptively(Duration.ofSeconds(60),
                        () -> cli("cancel", target, "global.service", "--timeout", "1s"));
                assertEquals(1, cancel.exit());
                assertTrue(cancel.err().contains("whether it cancelled anything is not known"), cancel.err());
                Result list = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> cli("list", "--timeout", "2s"));
                assertEquals(0, list.exit(), list.err());
                assertTrue(list.out().lines().anyMatch(l -> l.startsWith(target + " ") && l.contains(" ? ")), list.out());
                assertTrue(list.out().lines().anyMatch(l -> l.startsWith(pid + " ") && l.contains(" yes ")),
                        "the JVMs that answer are still listed: " + list.out());
            } finally {
                signal("CONT", stopped.pid);
            }
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        DemoProcess.run(List.of("kill", "-" + signal, String.valueOf(pid)));
    }

    /** The process's state letter in /proc ({@code T} when stopped). */
    private static char processState(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (java.io.IOException e) {
            return '?';
        }
    }

    @Test
    void aTargetThatExitsWhileRecordedFailsTheCommandWithOneLine() throws Exception {
        DemoProcess leaving = DemoProcess.startMain("dev.canopy.StuckLockJvm", List.of());
        try {
            String target = String.valueOf(leaving.pid);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            java.util.concurrent.CompletableFuture<Integer> exit = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> CanopyCli.run(new String[] {"record", target, "--duration", "3s", "-o",
                                    dir.resolve("gone.jfr").toString()},
                            new PrintStream(out, true, StandardCharsets.UTF_8),
                            new PrintStream(err, true, StandardCharsets.UTF_8)));
            TestTrees.awaitTrue("recording", () -> err.toString(StandardCharsets.UTF_8).contains("recording "));
            leaving.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            assertEquals(1, exit.get(60, TimeUnit.SECONDS));
            List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
            assertEquals(2, lines.size(), String.join("\n", lines));
            assertEquals("recording " + target + " for 3.0s …", lines.get(0));
            assertTrue(lines.get(1).startsWith("canopy: " + target + ": lost the JMX connection (has the JVM exited?)"),
                    lines.get(1));
            assertFalse(Files.exists(dir.resolve("gone.jfr")), "nothing saved");
            assertFalse(Files.exists(dir.resolve("gone.jfr.part")), "no part left");
        } finally {
            leaving.close();
        }
    }

    @Test
    void recordFailsAtOnceWhereItCannotWrite() {
        Path nowhere = dir.resolve("no-such-dir").resolve("x.jfr");
        Result r = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> cli("record", pid, "--duration", "10m", "-o", nowhere.toString()));
        assertEquals(1, r.exit());
        assertEquals("canopy: cannot write the recording to " + nowhere + ": no such file or directory",
                r.err().strip());
        Result intoDirectory = cli("record", pid, "-o", dir.toString());
        assertEquals(2, intoDirectory.exit());
        assertEquals("canopy: cannot write the recording to " + dir + ": it is a directory",
                intoDirectory.err().strip());
    }

    @Test
    void recordStoppedEarlyClosesTheTargetsRecordingAndSavesNothing() throws Exception {
        Path file = dir.resolve("stopped.jfr");
        Process recording = new ProcessBuilder(DemoProcess.tool("java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.canopy.cli.CanopyCli", "record", pid, "--duration", "10m",
                "-o", file.toString()).redirectErrorStream(true).start();
        try {
            java.io.BufferedReader output = new java.io.BufferedReader(new java.io.InputStreamReader(
                    recording.getInputStream(), StandardCharsets.UTF_8));
            String started = CompletableFuture.supplyAsync(() -> {
                try {
                    return output.readLine();
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }).get(60, TimeUnit.SECONDS);
            assertEquals("recording " + pid + " for 10m 0s …", started);
            assertTrue(Files.exists(dir.resolve("stopped.jfr.part")));
            assertTrue(jfrCheck().contains("canopy-cli"), "the target records");

            signal("TERM", recording.pid()); // the shutdown hooks run, as on Ctrl-C (destroy() would close the output)
            assertTrue(recording.waitFor(30, TimeUnit.SECONDS));
            String rest = output.lines().collect(java.util.stream.Collectors.joining("\n"));
            assertEquals("canopy: stopped; closed the recording in " + pid + ", saved nothing", rest.strip());
            assertFalse(Files.exists(file));
            assertFalse(Files.exists(dir.resolve("stopped.jfr.part")));
            assertFalse(jfrCheck().contains("canopy-cli"), "the target's recording is closed: " + jfrCheck());
        } finally {
            recording.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static String jfrCheck() throws Exception {
        return DemoProcess.run(List.of(DemoProcess.tool("jcmd").toString(), pid, "JFR.check"));
    }

    @Test
    void deadlocksAndList() {
        Result d = cli("deadlocks", pid);
        assertEquals(0, d.exit(), d.err());
        assertEquals("no deadlocks", d.out().strip());
        Result l = cli("list");
        assertEquals(0, l.exit(), l.err());
        assertTrue(l.out().lines().anyMatch(line -> line.startsWith(pid + " ") && line.contains(" yes ")), l.out());
    }

    @Test
    void cancelOverTheCommandLine() throws Exception {
        Result r = cli("cancel", pid, "global.chat-service", "maintenance");
        assertEquals(0, r.exit(), r.err());
        assertEquals("cancelled 1 context(s) at global.chat-service, and everything under them", r.out().strip());
        Result again = cli("cancel", pid, "global.chat-service", "again");
        // cancelled, it may have left the tree already
        assertTrue(again.out().startsWith("nothing to cancel at global.chat-service: it has ended or been cancelled")
                || again.err().contains("no context at global.chat-service"), again.out() + again.err());
        TestTrees.awaitTrue("chat-service gone", () -> !cli("status", pid, "--json").out().contains("\"chat-service\""));
        Result none = cli("cancel", pid, "global.no-such-thing");
        assertEquals(1, none.exit());
        assertEquals("", none.out());
        assertEquals("canopy: " + pid + ": no context at global.no-such-thing", none.err().strip());
    }

    @Test
    void recordThenReadTheRecordingBack() throws Exception {
        Path file = dir.resolve("demo.jfr");
        Result r = cli("record", pid, "--duration", "2s", "-o", file.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("recorded "), r.out());
        assertTrue(Files.size(file) > 0);
        assertFalse(Files.exists(dir.resolve("demo.jfr.part")), "written under another name, then renamed");

        Result tree = cli("jfr", "tree", file.toString());
        assertEquals(0, tree.exit(), tree.err());
        assertTrue(tree.out().startsWith("global #"), tree.out());
        assertTrue(tree.out().contains("├── remote-access #") || tree.out().contains("└── remote-access #"), tree.out());
        assertTrue(tree.out().contains("http-proxy #"), tree.out());

        Result timeline = cli("jfr", "timeline", file.toString(), "--path", "global.http-proxy");
        assertEquals(0, timeline.exit(), timeline.err());
        assertTrue(timeline.out().contains("global.http-proxy.request"), timeline.out());

        Path trace = dir.resolve("trace.json");
        Result chrome = cli("jfr", "chrome", file.toString(), "-o", trace.toString());
        assertEquals(0, chrome.exit(), chrome.err());
        JsonNode events = Json.MAPPER.readTree(Files.readString(trace)).get("traceEvents");
        assertTrue(events.isArray() && events.size() > 3);
        for (JsonNode e : events) {
            assertTrue(e.has("ph") && e.has("pid") && e.has("tid") && e.has("name"), e.toString());
            if (e.get("ph").asText().equals("X")) {
                assertTrue(e.get("ts").isNumber() && e.get("dur").isNumber(), e.toString());
            }
        }
        assertTrue(events.findValuesAsText("cat").contains("context"));
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : List.of("list", "status", "deadlocks", "cancel", "record", "jfr", "demo")) {
            Result r = cli(command, "--help");
            assertEquals(0, r.exit(), command);
            assertTrue(r.out().startsWith("usage: canopy " + command), r.out());
        }
        assertEquals(0, cli("--help").exit());
        Result demoBad = cli("demo", "--no-such-demo-option");
        assertEquals(2, demoBad.exit(), "the demo's own usage error");
        Result bad = cli("frobnicate");
        assertEquals(2, bad.exit());
        assertEquals("canopy: unknown command \"frobnicate\" (see canopy --help)", bad.err().strip());
        assertEquals(2, cli("status").exit());
        assertEquals("canopy: --interval takes a positive duration like 500ms, 30s, 2m, not \"soon\"",
                cli("status", pid, "-w", "--interval", "soon").err().strip());
    }

    // ------------------------------------------------------------------ failures: one line, non-zero exit

    @Test
    void noSuchPid() {
        Result r = cli("status", "999999999");
        assertEquals(1, r.exit());
        assertEquals("canopy: no such process: 999999999", r.err().strip());
    }

    @Test
    void aProcessThatIsNoJvmIsNotSignalled() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/maps")),
                "the check reads /proc");
        Process sleeper = new ProcessBuilder("sleep", "600").start(); // the default action of SIGQUIT would end it
        try {
            Result r = cli("status", String.valueOf(sleeper.pid()));
            assertEquals(1, r.exit());
            assertEquals("canopy: process " + sleeper.pid() + " is not a Java virtual machine (canopy list shows the "
                    + "JVMs it can attach to)", r.err().strip());
            assertTrue(sleeper.isAlive(), "not signalled");
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
    }

    @Test
    void attachNotAllowed() throws Exception {
        try (DemoProcess locked = DemoProcess.start("-XX:+DisableAttachMechanism")) {
            Result r = cli("status", String.valueOf(locked.pid));
            assertEquals(1, r.exit());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("canopy: cannot attach to " + locked.pid), r.err());
        }
    }

    @Test
    void targetWithoutCanopy() throws Exception {
        // status fails; a recording is still made, with a note that it holds the JDK's events only
        try (DemoProcess plain = DemoProcess.startMain("dev.canopy.IdleJvm", List.of())) {
            Result r = cli("status", String.valueOf(plain.pid));
            assertEquals(1, r.exit());
            assertEquals("canopy: " + plain.pid + " has no Canopy (no dev.canopy:type=Registry MBean)", r.err().strip());
            Result recorded = cli("record", String.valueOf(plain.pid), "--duration", "1s", "-o",
                    dir.resolve("plain.jfr").toString());
            assertEquals(0, recorded.exit(), recorded.err());
            assertTrue(recorded.err().startsWith("note: " + plain.pid + " has not loaded Canopy: the recording holds the "
                    + "JDK's events only\n"), "said, not silent: " + recorded.err());
        }
    }

    @Test
    void remoteUnreachable() {
        Result r = cli("status", "127.0.0.1:1");
        assertEquals(1, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("canopy: 127.0.0.1:1: cannot reach a JMX agent"), r.err());
    }

    @Test
    void remoteNeedingCredentialsAndReadOnlyTargets() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path passwords = dir.resolve("jmxremote.password");
        Files.writeString(passwords, "controlRole s3cret\n");
        Files.setPosixFilePermissions(passwords, PosixFilePermissions.fromString("rw-------"));
        Path secret = dir.resolve("pw");
        Files.writeString(secret, "s3cret\n");
        try (DemoProcess secured = DemoProcess.start(
                "-Dcom.sun.management.jmxremote.port=" + port, "-Dcom.sun.management.jmxremote.rmi.port=" + port,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1",
                "-Dcom.sun.management.jmxremote.ssl=false", "-Dcom.sun.management.jmxremote.authenticate=true",
                "-Dcom.sun.management.jmxremote.password.file=" + passwords, "-Dcanopy.jmx.readOnly=true")) {
            String target = "127.0.0.1:" + port;
            Result denied = cli("status", target);
            assertEquals(1, denied.exit());
            assertEquals(1, denied.err().lines().count(), denied.err());
            assertTrue(denied.err().contains("refused the connection") && denied.err().contains("--user"),
                    "got: " + denied.err());

            Result ok = cli("status", target, "--user", "controlRole", "--password-file", secret.toString(), "--no-color");
            assertEquals(0, ok.exit(), ok.err());
            assertTrue(ok.out().contains("remote-access"));

            Result refused = cli("cancel", target, "global.chat-service", "--user", "controlRole",
                    "--password-file", secret.toString());
            assertEquals(3, refused.exit());
            assertEquals("canopy: " + target + " runs Canopy's JMX read-only: cancel is refused", refused.err().strip());
        }
    }

    @Test
    void unreadableAndTruncatedRecordings() throws Exception {
        Path junk = dir.resolve("junk.jfr");
        Files.writeString(junk, "not a recording at all");
        Result r = cli("jfr", "tree", junk.toString());
        assertEquals(1, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(junk.toString()), r.err());

        Path whole = dir.resolve("whole.jfr");
        assertEquals(0, cli("record", pid, "--duration", "1s", "-o", whole.toString()).exit());
        byte[] bytes = Files.readAllBytes(whole);
        Path truncated = dir.resolve("truncated.jfr");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Result t = cli("jfr", "tree", truncated.toString());
        assertEquals(1, t.exit());
        assertTrue(t.err().contains("truncated.jfr"), t.err());

        Result missing = cli("jfr", "tree", dir.resolve("nope.jfr").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().startsWith("canopy: no such file: "), missing.err());
    }
}
