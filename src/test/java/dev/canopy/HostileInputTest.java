package dev.canopy;

import dev.canopy.jmx.JmxExporter;
import dev.canopy.jmx.JmxPolicy;

import dev.canopy.status.RenderOptions;
import dev.canopy.status.Status;

import dev.canopy.jfr.JfrTemplates;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Values an attacker or a bug could put in: none may break rendering, JSON, JMX, JFR or the CLI's renderer. */
class HostileInputTest {
    private static final String ESC = "\u001b";
    private static final String ANSI = ESC + "[31mred" + ESC + "[0m\r\nsecond line\u0007";
    private final JmxExporter jmx = JmxExporter.create(JmxPolicy.defaults().withMode(JmxPolicy.Mode.ALL).withDomain("dev.canopy.hostile"));
    private final ContextTree tree = ContextTree.builder().rootName("hostile").listener(jmx).build();

    @TempDir
    Path dir;

    @AfterEach
    void closeTree() {
        tree.close();
    }

    @Test
    void controlCharactersAndAnsiInValuesAreEscapedWhereShownAndKeptExactInJson() throws Exception {
        Context c = tree.root().child("session").withData("banner", ANSI).withMetric("note", MetricValue.text(ANSI)).open();
        c.cancel(ANSI);
        Status s = tree.status();
        String text = s.render(RenderOptions.plain());
        assertFalse(text.contains(ESC), "no raw escape reaches a terminal");
        assertFalse(text.contains("\u0007"));
        assertTrue(text.contains("\\u001B[31mred"), text);
        assertEquals(ANSI, Json.MAPPER.readValue(Status.fromJson(s.toJson()).root().children().get(0).data().get("banner"), String.class),
                "JSON carries the exact value, escaped by JSON itself");

        jmx.refresh();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName bean = jmx.contextBeanName(c);
        String data = (String) server.getAttribute(bean, "Data");
        assertFalse(data.contains(ESC), data);
        assertEquals(ANSI, Json.MAPPER.readTree(data).get("banner").asText());
    }

    @Test
    void escapeSequencesInWarningsThreadNamesAndARootCancelNeverReachATerminal() throws Exception {
        Duration now = Duration.ZERO;
        try (ContextTree t = ContextTree.builder().rootName("hostile")
                .warningThresholds(new WarningThresholds(now, now, now, now, now, now)).build()) {
            Context holder = t.root().child("holder").open();
            Context waiter = t.root().child("waiter").open();
            NamedLock lock = t.root().mutex("ledger");
            java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Thread holding = new Thread(() -> {
                try (Scope s = holder.makeCurrent(); Held h = lock.acquire()) {
                    held.countDown();
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "holder " + ANSI);
            Thread waiting = new Thread(() -> {
                try (Scope s = waiter.makeCurrent(); Held h = lock.acquire()) {
                    // acquired once the holder let go
                }
            }, "waiter " + ANSI);
            holding.start();
            assertTrue(held.await(10, java.util.concurrent.TimeUnit.SECONDS));
            waiting.start();
            TestTrees.awaitTrue("the waiter is queued", () -> !t.status().lockWaiters().isEmpty());
            Context doomed = t.root().child("doomed").open();
            doomed.cancel("stop " + ANSI); // cancelled and still running: a warning quoting the reason
            try {
                String text = t.status().render(RenderOptions.plain());
                assertFalse(text.contains(ESC), text);
                assertFalse(text.contains("\u0007") || text.contains("\r"), text);
                assertTrue(text.contains(" on holder \\u001B[31mred"), text);
                assertTrue(text.contains(" on waiter \\u001B[31mred"), text);
                String warnings = text.substring(text.indexOf("Warnings ("));
                assertTrue(warnings.contains("(stop \\u001B[31mred\\u001B[0m\\u000D\\u000Asecond line\\u0007) and still "
                        + "running"), warnings);
            } finally {
                release.countDown();
                holding.join(10_000);
                waiting.join(10_000);
                holder.close();
                waiter.close();
                doomed.close();
            }
            t.root().cancel("shutting down " + ANSI);
            String root = t.status().render(RenderOptions.plain()).lines().findFirst().orElseThrow();
            assertTrue(root.contains(", cancelled: shutting down \\u001B[31mred"), "a cancelled root says so: " + root);
        }
    }

    @Test
    void escapeSequencesInARecordingNeverReachATerminal() throws Exception {
        Path file = dir.resolve("hostile.jfr");
        try (ContextTree t = ContextTree.builder().rootName("hostile").build();
             Recording r = new Recording(JfrTemplates.debugConfiguration())) {
            r.start();
            Context service = t.root().child("service").open();
            Context job = service.child("job").open();
            job.cancel("stop " + ANSI);
            Task<Void> failing = service.spawnChild("failing", ctx -> {
                throw new IllegalStateException("bad " + ANSI);
            });
            assertThrows(RuntimeException.class, failing::join);
            r.stop();
            r.dump(file);
            job.close();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        java.util.function.Function<String[], String> cli = args -> {
            out.reset();
            assertEquals(0, dev.canopy.cli.CanopyCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8)), err.toString(StandardCharsets.UTF_8));
            return out.toString(StandardCharsets.UTF_8);
        };
        String shownAs = "\\u001B[31mred\\u001B[0m\\u000D\\u000Asecond line\\u0007";
        String tree = cli.apply(new String[] {"jfr", "tree", file.toString()});
        String moment = cli.apply(new String[] {"jfr", "tree", file.toString(), "--at", "end"});
        String timeline = cli.apply(new String[] {"jfr", "timeline", file.toString()});
        for (String text : List.of(tree, moment, timeline)) {
            assertFalse(text.contains(ESC) || text.contains("\r") || text.contains("\u0007"), text);
            assertFalse(text.lines().anyMatch(l -> l.startsWith("second line")), "no entry breaks a line: " + text);
        }
        assertTrue(tree.contains("failed after") && tree.contains("bad " + shownAs), tree);
        assertTrue(moment.contains("cancelled ") && moment.contains(": stop " + shownAs), moment);
        assertTrue(timeline.lines().anyMatch(l -> l.contains("CANCEL") && l.contains("stop " + shownAs)), timeline);
        assertTrue(timeline.lines().anyMatch(l -> l.contains("END") && l.contains("bad " + shownAs)), timeline);
    }

    @Test
    void megabyteStringsAreRefusedOrCutWithAMarker() {
        String mb = "x".repeat(1 << 20);
        Context c = tree.root().child("big").open();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.setData("blob", mb));
        assertEquals("data value for key \"blob\" is 1,048,578 characters as JSON; the limit is 65,536 "
                + "(keep large payloads elsewhere and store a reference)", e.getMessage());
        assertTrue(c.getDataJson("blob").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> c.setData("list", java.util.Collections.nCopies(100_000, "y")));

        c.addMetric("text", MetricValue.text(mb));
        String text = ((MetricValue.Text) c.getMetric("text").orElseThrow()).value();
        assertEquals(4_096 + "…(1048576 chars)".length(), text.length());
        assertTrue(text.endsWith("…(1048576 chars)"));

        c.cancel(mb);
        String reason = c.cancellation().orElseThrow().reason();
        assertTrue(reason.length() < 1_100 && reason.endsWith("…(1048576 chars)"), reason.substring(900));
        String shown = tree.status().render(RenderOptions.plain()).lines().filter(l -> l.contains("big"))
                .findFirst().orElseThrow();
        assertTrue(shown.contains("xxx…(1048576 chars)"), "cut again, it still says how long the reason was: " + shown);
        assertTrue(tree.status().toJson().length() < 50_000, "the status stays small");
        assertThrows(IllegalArgumentException.class, () -> tree.root().child(mb));
    }

    @Test
    void secretsNeverLeaveTheProcess() throws Exception {
        String secret = "hunter2-" + System.nanoTime();
        JmxExporter jmx = JmxExporter.create(JmxPolicy.defaults().withMode(JmxPolicy.Mode.ALL).withDomain("dev.canopy.secrets"));
        try (ContextTree t = ContextTree.builder().rootName("secrets").redactKeys("Authorization").listener(jmx).build();
             Recording r = new Recording(JfrTemplates.debugConfiguration())) {
            r.start();
            Context c = t.root().child("login").withSecret("token", secret).persist().open();
            c.setSecret("password", secret);
            c.setData("authorization", secret); // a configured key: secret whichever method sets it
            c.setData("user", "alice");
            assertEquals(secret, c.getData("token", String.class).orElseThrow(), "readable in-process");
            assertEquals(Map.of("authorization", Json.REDACTED_JSON, "password", Json.REDACTED_JSON,
                    "token", Json.REDACTED_JSON, "user", "\"alice\""), c.dataJson());

            Status s = t.status();
            assertFalse(s.toString().contains(secret));
            assertFalse(s.toJson().contains(secret));
            assertTrue(s.toJson().contains(Json.REDACTED));
            jmx.refresh();
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            assertFalse(((String) server.getAttribute(jmx.contextBeanName(c), "Data")).contains(secret));
            assertFalse(((String) server.invoke(jmx.registryName(), "statusJson", null, null)).contains(secret));
            c.close();
            assertFalse(t.recentCompletions().toString().contains(secret));
            assertFalse(t.status().toJson().contains(secret));
            r.stop();
            Path file = dir.resolve("secrets.jfr");
            r.dump(file);
            for (var e : RecordingFile.readAllEvents(file)) {
                assertFalse(e.toString().contains(secret), e.toString());
            }
        }
    }

    @Test
    void objectNameMetacharactersAndHostileRootNamesStayValid() throws Exception {
        JmxExporter jmx = JmxExporter.create(JmxPolicy.defaults().withMode(JmxPolicy.Mode.ALL).withDomain("dev.canopy.hostile2"));
        try (ContextTree t = ContextTree.builder().rootName("a,b=c:d*?\"x").listener(jmx).build()) {
            Context c = t.root().child("n=1,type=Registry").open();
            jmx.refresh();
            ObjectName n = jmx.contextBeanName(c);
            assertEquals("dev.canopy.hostile2:type=Context,l0=a_b_c_d___x,l1=n_1_type_Registry,name=n_1_type_Registry#"
                    + c.id(), n.toString());
            assertEquals("Context", n.getKeyProperty("type"), "a name cannot forge another key");
        }
    }
}
