package dev.canopy.otel;

import com.sun.tools.attach.VirtualMachine;
import dev.canopy.cli.CanopyCli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real OpenTelemetry Java agent with {@code target/canopy-otel-extension.jar} as its extension, in a JVM of its
 * own, looked at with the {@code canopy} command line while an instrumented HTTP call is in flight. Runs after
 * {@code package} (failsafe), which builds the extension jar and copies the agent to {@code target/otel-agent/}.
 */
class AgentExtensionIT {
    private static final Path AGENT = Path.of("target", "otel-agent", "opentelemetry-javaagent.jar");
    private static final Path EXTENSION = Path.of("target", "canopy-otel-extension.jar");
    private static final long WAIT_SECONDS = 90; // the agent instruments everything it loads: slow on 2 cores

    private Process process;
    /** Reads the process's output into {@link #lines} until it ends. */
    private Thread reader;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void anAgentInstrumentedServiceShowsItsLiveSpansInCanopyStatus() throws Exception {
        long pid = start(testClasses(), AgentApp.class.getName());
        awaitLine("in flight");

        String status = cli("status", String.valueOf(pid), "--no-color");
        assertTrue(status.contains("global ("), status);
        assertTrue(status.contains("── spans ("), status);
        String client = clientSpanLine(status);
        assertTrue(client.contains("span.kind=CLIENT") && client.contains("http.request.method=GET"), status);
        assertTrue(client.matches(".*trace\\.id=[0-9a-f]{32}.*"), status);

        send("release");
        assertEquals("done 200", awaitLine("done"));
        String after = cli("status", String.valueOf(pid), "--no-color");
        assertFalse(after.contains("span.kind=CLIENT"), "the span ended, its context left the tree:\n" + after);
    }

    @Test
    void anApplicationWithCanopyOfItsOwnKeepsDevCanopyAndTheSpansMoveToTheirOwnDomain() throws Exception {
        long pid = start(testClasses() + java.io.File.pathSeparator + libraryWithJackson(),
                AgentAppWithCanopy.class.getName());
        awaitLine("in flight");

        String status = cli("status", String.valueOf(pid), "--no-color");
        assertTrue(status.contains("app-service"), "canopy status shows the application's own tree:\n" + status);
        assertFalse(status.contains("span.kind=CLIENT"), status);

        String spans = registryStatus(pid, "dev.canopy.otel:type=Registry");
        assertTrue(spans.contains("span.kind=CLIENT"), "the extension's tree, under dev.canopy.otel:\n" + spans);
        assertFalse(spans.contains("app-service"), spans);

        // the command line points at the other tree, and shows it with --domain
        ByteArrayOutputStream hint = new ByteArrayOutputStream();
        assertEquals(0, CanopyCli.run(new String[]{"status", String.valueOf(pid), "--no-color"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(hint, true, StandardCharsets.UTF_8)));
        assertTrue(hint.toString(StandardCharsets.UTF_8).contains("canopy status --domain dev.canopy.otel " + pid),
                hint.toString(StandardCharsets.UTF_8));
        String viaCli = cli("status", String.valueOf(pid), "--no-color", "--domain", "dev.canopy.otel");
        assertTrue(viaCli.contains("span.kind=CLIENT"), viaCli);
        assertFalse(viaCli.contains("app-service"), viaCli);

        send("release");
        assertEquals("done 200", awaitLine("done"));
        assertFalse(registryStatus(pid, "dev.canopy.otel:type=Registry").contains("span.kind=CLIENT"));
    }

    @Test
    void theParentOfRootSpansIsConfigurable() throws Exception {
        long pid = start(testClasses(), AgentApp.class.getName(), "-Dcanopy.otel.root=global.outgoing");
        awaitLine("in flight");
        String status = cli("status", String.valueOf(pid), "--no-color", "--path", "global.outgoing");
        assertTrue(status.contains("── outgoing ("), status);
        assertTrue(clientSpanLine(status).contains("span.kind=CLIENT"), status);
        send("release");
        awaitLine("done");
    }

    /**
     * The export without the extension: the agent's own HTTP client spans, started in code a context is current in
     * (a scope, a spawned task), are children of that context's span, as the agent's exporter writes them.
     */
    @Test
    void spansTheAgentStartsInAContextsCodeAreChildrenOfItsExportedSpan() throws Exception {
        String classPath = String.join(java.io.File.pathSeparator, testClasses(), libraryWithJackson(),
                openTelemetryApi());
        start(false, classPath, AgentAppExporting.class.getName(),
                "-Dotel.traces.exporter=logging-otlp", "-Dotel.bsp.schedule.delay=100");
        String traceparent = awaitLine("checkout traceparent ");
        String checkoutSpan = traceparent.substring(traceparent.lastIndexOf(' ') + 1).split("-")[2];
        awaitLine("done");
        assertTrue(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the application exits");
        List<com.fasterxml.jackson.databind.JsonNode> spans = exportedSpans();

        com.fasterxml.jackson.databind.JsonNode checkout = only(spans, "checkout");
        assertEquals(checkoutSpan, checkout.path("spanId").asText());
        com.fasterxml.jackson.databind.JsonNode worker = only(spans, "worker");
        assertEquals(checkoutSpan, worker.path("parentSpanId").asText());
        List<String> clientParents = spans.stream().filter(s -> s.path("kind").asInt() == 3) // CLIENT
                .map(s -> s.path("parentSpanId").asText()).sorted().toList();
        assertEquals(java.util.stream.Stream.of(checkoutSpan, worker.path("spanId").asText()).sorted().toList(),
                clientParents, "one call from the scope, one from the task: " + spans);
        assertTrue(spans.stream().allMatch(s -> s.path("traceId").asText().equals(checkout.path("traceId").asText())),
                "one trace: " + spans);
    }

    // ------------------------------------------------------------------ the JVM under the agent

    private long start(String classPath, String mainClass, String... extraOptions) throws Exception {
        return start(true, classPath, mainClass, extraOptions);
    }

    private long start(boolean extension, String classPath, String mainClass, String... extraOptions)
            throws Exception {
        assertTrue(Files.isRegularFile(AGENT), AGENT + " is copied by `mvn verify` (pre-integration-test)");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + AGENT.toAbsolutePath(),
                // nothing leaves this machine (an option given later wins)
                "-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none"));
        if (extension) {
            assertTrue(Files.isRegularFile(EXTENSION), EXTENSION + " is built by `mvn package`");
            command.add("-Dotel.javaagent.extensions=" + EXTENSION.toAbsolutePath());
        }
        command.addAll(Arrays.asList(extraOptions));
        command.addAll(List.of("-cp", classPath, mainClass));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "agent-app-output");
        reader.setDaemon(true);
        reader.start();
        String line = awaitLine("running as pid ");
        return Long.parseLong(line.substring(line.indexOf("running as pid ") + "running as pid ".length()).trim());
    }

    /** The next output line containing {@code text}; fails with everything seen when it does not come. */
    private String awaitLine(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                fail("no line containing \"" + text + "\" within " + WAIT_SECONDS + " s; output:\n" + String.join("\n", seen));
            }
            seen.add(line);
            if (line.contains(text)) {
                return line;
            }
        }
    }

    private void send(String line) throws IOException {
        Writer in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        in.write(line + "\n");
        in.flush();
    }

    private static String testClasses() {
        return classPathEntries().stream().filter(e -> e.endsWith("test-classes")).findFirst().orElseThrow();
    }

    /** The library (classes or jar) and Jackson, as an application that uses Canopy has them. */
    private static String libraryWithJackson() {
        return classPathEntries().stream()
                .filter(e -> e.contains("jackson") || e.endsWith("target" + java.io.File.separator + "classes")
                        || e.matches(".*canopy-[^" + java.io.File.separator + "]*\\.jar"))
                .collect(Collectors.joining(java.io.File.pathSeparator));
    }

    /** The OpenTelemetry API, which an application that exports its contexts has (the agent bridges it). */
    private static String openTelemetryApi() {
        String jar = ".*opentelemetry-(api|context|common)-[0-9][^" + java.io.File.separator + "]*\\.jar";
        return classPathEntries().stream().filter(e -> e.matches(jar))
                .collect(Collectors.joining(java.io.File.pathSeparator));
    }

    /** Every span the agent's {@code logging-otlp} exporter wrote (one line of OTLP JSON per batch). */
    private List<com.fasterxml.jackson.databind.JsonNode> exportedSpans() throws IOException {
        try {
            reader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS)); // the output read to its end
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        lines.drainTo(seen);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<com.fasterxml.jackson.databind.JsonNode> spans = new ArrayList<>();
        String marker = "OtlpJsonLoggingSpanExporter - ";
        for (String line : seen) {
            int at = line.indexOf(marker);
            if (at >= 0) {
                for (com.fasterxml.jackson.databind.JsonNode scope : json.readTree(line.substring(at + marker.length()))
                        .path("scopeSpans")) {
                    scope.path("spans").forEach(spans::add);
                }
            }
        }
        return spans;
    }

    private static com.fasterxml.jackson.databind.JsonNode only(List<com.fasterxml.jackson.databind.JsonNode> spans,
                                                                String name) {
        List<com.fasterxml.jackson.databind.JsonNode> named = spans.stream()
                .filter(s -> s.path("name").asText().equals(name)).toList();
        assertEquals(1, named.size(), () -> "one span named " + name + " in " + spans);
        return named.get(0);
    }

    private static List<String> classPathEntries() {
        return Arrays.asList(System.getProperty("java.class.path").split(java.io.File.pathSeparator));
    }

    /** The line of the agent's client span for the call to the stalling server. */
    private static String clientSpanLine(String status) {
        return status.lines().filter(l -> l.contains("span.kind=CLIENT")).findFirst()
                .orElseThrow(() -> new AssertionError("no client span in:\n" + status));
    }

    private static String cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = CanopyCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, () -> err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A registry's status text, read over JMX as JConsole would. */
    private static String registryStatus(long pid, String registry) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
        try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()))) {
            MBeanServerConnection conn = c.getMBeanServerConnection();
            return (String) conn.invoke(new ObjectName(registry), "statusText", new Object[0], new String[0]);
        } finally {
            vm.detach();
        }
    }
}
