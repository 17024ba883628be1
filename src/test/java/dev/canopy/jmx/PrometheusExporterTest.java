package dev.canopy.jmx;

import dev.canopy.LockKind;
import dev.canopy.status.CounterSnapshot;
import dev.canopy.status.LockHolder;
import dev.canopy.status.LockSnapshot;
import dev.canopy.status.LockWaiter;
import dev.canopy.status.Status;
import dev.canopy.status.Warning;
import dev.canopy.status.WarningKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The shipped {@code jmx-exporter/canopy.yaml} with the real Prometheus JMX exporter agent, in a JVM that churns
 * 10,000 request contexts, each given an MBean of its own while it lives ({@code canopy.jmx.mode=ALL}): what a
 * Prometheus server would scrape.
 */
class PrometheusExporterTest {
    /** Copied there by maven-dependency-plugin (see pom.xml), so it never joins the test class path. */
    private static final Path AGENT = Path.of("target", "jmx-exporter", "jmx_prometheus_javaagent.jar");
    private static final Path SHIPPED_CONFIG = Path.of("jmx-exporter", "canopy.yaml");
    private static final Duration ANSWER = Duration.ofSeconds(90);
    private static final int BATCHES = 10;
    private static final int BATCH_SIZE = 1_000;

    /** Every metric family the shipped rules make, with its type. */
    private static final Map<String, String> FAMILIES = Map.ofEntries(
            entry("canopy_contexts_live", "gauge"),
            entry("canopy_contexts_started_total", "counter"),
            entry("canopy_contexts_ended_total", "counter"),
            entry("canopy_contexts_leaked_total", "counter"),
            entry("canopy_counter_total", "counter"),
            entry("canopy_counter_live", "gauge"),
            entry("canopy_counter_keys", "gauge"),
            entry("canopy_counter_key_cap", "gauge"),
            entry("canopy_counter_keys_refused_total", "counter"),
            entry("canopy_counter_increments_lost_total", "counter"),
            entry("canopy_lock_acquisitions_total", "counter"),
            entry("canopy_lock_contended_acquisitions_total", "counter"),
            entry("canopy_lock_wait_seconds_total", "counter"),
            entry("canopy_lock_wait_max_seconds", "gauge"),
            entry("canopy_lock_waiting_longest_seconds", "gauge"),
            entry("canopy_lock_hold_seconds_total", "counter"),
            entry("canopy_lock_hold_max_seconds", "gauge"),
            entry("canopy_lock_held_longest_seconds", "gauge"),
            entry("canopy_lock_holders", "gauge"),
            entry("canopy_lock_waiters", "gauge"),
            entry("canopy_lock_instances", "gauge"),
            entry("canopy_semaphore_permits_available", "gauge"),
            entry("canopy_semaphore_permits_held", "gauge"),
            entry("canopy_semaphore_permits_requested", "gauge"),
            entry("canopy_warnings", "gauge"),
            entry("canopy_deadlocks", "gauge"),
            entry("canopy_jmx_context_beans", "gauge"),
            entry("canopy_jmx_context_beans_skipped", "gauge"),
            entry("canopy_jmx_lock_beans", "gauge"),
            entry("canopy_jmx_lock_beans_skipped", "gauge"),
            entry("canopy_jmx_registration_failures_total", "counter"));

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;

    @Test
    void theShippedRulesGiveTypedBoundedSeriesThatAgreeWithTheStatus() throws Exception {
        int port = freePort();
        try (ChildJvm app = startApp(port, SHIPPED_CONFIG)) {
            List<Set<String>> seriesAfterFirstBatch = new ArrayList<>();
            List<Double> scrapeMillis = new ArrayList<>();
            List<Double> exporterMillis = new ArrayList<>();
            double contextBeansDuringScrapes = Double.MAX_VALUE;
            for (int batch = 1; batch <= BATCHES; batch++) {
                app.send("churn " + BATCH_SIZE);
                app.await("inflight ", ANSWER);
                // every request context has an MBean now: the scrape must not see them
                long start = System.nanoTime();
                String text = scrape(port);
                double millis = (System.nanoTime() - start) / 1e6;
                Exposition during = Exposition.parse(text);
                contextBeansDuringScrapes = Math.min(contextBeansDuringScrapes,
                        during.value("canopy_jmx_context_beans"));
                exporterMillis.add(Exposition.parse(scrape(port)).value("jmx_scrape_duration_seconds") * 1e3);
                scrapeMillis.add(millis);
                app.send("release");
                app.await("churned ", ANSWER);
                Exposition after = Exposition.parse(scrape(port));
                assertTypes(during);
                assertTypes(after);
                assertNoIdsInLabels(during);
                if (batch > 1) {
                    seriesAfterFirstBatch.add(canopySeries(during));
                }
                seriesAfterFirstBatch.add(canopySeries(after));
            }
            assertTrue(contextBeansDuringScrapes >= BATCH_SIZE,
                    "each scrape faced at least " + BATCH_SIZE + " context beans: " + contextBeansDuringScrapes);
            Set<String> first = seriesAfterFirstBatch.get(0);
            for (Set<String> s : seriesAfterFirstBatch) {
                assertEquals(first, s, "the same series from one scrape to the next, whatever the churn");
            }
            assertTrue(first.size() < 100, "a few dozen series, not one per request: " + first.size());
            System.out.printf("scrape cost, shipped rules, >= %,d context beans registered: %d canopy series, HTTP "
                            + "median %.1f ms, jmx_scrape_duration_seconds median %.1f ms%n", BATCH_SIZE, first.size(),
                    median(scrapeMillis), median(exporterMillis));

            // stuck waiters, an exhausted pool and a deadlock, then the numbers side by side with that JVM's own status
            app.send("stick");
            app.await("stuck", ANSWER);
            app.send("status");
            Status status = Status.fromJson(app.await("status ", ANSWER).substring("status ".length()));
            String text = scrape(port);
            assertFalse(text.contains(PrometheusChurnApp.SECRET), "secret context data never reaches a metric");
            Exposition metrics = Exposition.parse(text);
            assertTypes(metrics);
            assertAgrees(status, metrics);
        }
    }

    /** What the shipped rules avoid: the catch-all configuration users start with, against the same churn. */
    @Test
    void aCatchAllConfigurationMakesASeriesPerContextWhichTheShippedRulesAvoid() throws Exception {
        Path catchAll = dir.resolve("catch-all.yaml");
        Files.writeString(catchAll, "rules:\n  - pattern: '.*'\n");
        int port = freePort();
        try (ChildJvm app = startApp(port, catchAll)) {
            app.send("churn " + BATCH_SIZE);
            app.await("inflight ", ANSWER);
            List<Double> scrapeMillis = new ArrayList<>();
            List<Double> exporterMillis = new ArrayList<>();
            Exposition metrics = null;
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                String text = scrape(port);
                scrapeMillis.add((System.nanoTime() - start) / 1e6);
                metrics = Exposition.parse(text);
                exporterMillis.add(metrics.value("jmx_scrape_duration_seconds") * 1e3);
            }
            Set<String> contextNames = metrics.samples().stream()
                    .filter(s -> s.name().startsWith("dev_canopy_Context_"))
                    .map(s -> s.labels().get("name")).collect(Collectors.toSet());
            assertTrue(contextNames.size() >= BATCH_SIZE, "a series (with its id) per request: " + contextNames.size());
            assertTrue(contextNames.stream().anyMatch(n -> n.matches("request#\\d+")), contextNames.toString());
            System.out.printf("scrape cost, catch-all rule, >= %,d context beans registered: %,d samples, HTTP median "
                            + "%.1f ms, jmx_scrape_duration_seconds median %.1f ms%n", BATCH_SIZE,
                    metrics.samples().size(), median(scrapeMillis), median(exporterMillis));
        }
    }

    @Test
    void theJarCarriesTheSameConfiguration() throws Exception {
        try (InputStream in = JmxExporter.class.getResourceAsStream("canopy.yaml")) {
            assertNotNull(in, "dev/canopy/jmx/canopy.yaml in the jar");
            assertEquals(Files.readString(SHIPPED_CONFIG), new String(in.readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    // ------------------------------------------------------------------ the agreement with Canopy.status()

    private static void assertAgrees(Status status, Exposition m) {
        var stats = status.statistics();
        assertEquals(stats.live(), m.value("canopy_contexts_live"));
        assertEquals(stats.created(), m.value("canopy_contexts_started_total"));
        assertEquals(stats.completed(), m.value("canopy_contexts_ended_total", "outcome", "completed"));
        assertEquals(stats.failed(), m.value("canopy_contexts_ended_total", "outcome", "failed"));
        assertEquals(stats.cancelled(), m.value("canopy_contexts_ended_total", "outcome", "cancelled"));
        assertEquals(stats.leaked(), m.value("canopy_contexts_leaked_total"));
        assertEquals(BATCHES * BATCH_SIZE / 10.0, m.value("canopy_contexts_ended_total", "outcome", "failed"),
                "every 10th request failed");

        // each counter has the series it uses: the live-only request.inflight has no total of zeros, and the
        // totals no live series of zeros
        List<CounterSnapshot> live = status.counters().stream().filter(CounterSnapshot::countsLive).toList();
        List<CounterSnapshot> totals = status.counters().stream().filter(c -> !c.countsLive() || c.total() > 0)
                .toList();
        assertEquals(List.of("global.http-proxy.request.inflight"), live.stream().map(CounterSnapshot::key).toList());
        assertEquals(status.counters().size() - 1, totals.size());
        assertEquals(totals.size(), m.of("canopy_counter_total").size());
        assertEquals(live.size(), m.of("canopy_counter_live").size());
        for (CounterSnapshot c : totals) {
            assertEquals(c.total(), m.value("canopy_counter_total", "counter", c.counter(), "key", c.key(), "path",
                    c.path()), c.key());
        }
        for (CounterSnapshot c : live) {
            assertEquals(c.live(), m.value("canopy_counter_live", "counter", c.counter(), "key", c.key(), "path",
                    c.path()), c.liveKey());
        }
        assertEquals(status.counters().size(), m.value("canopy_counter_keys"));
        assertEquals(10_000, m.value("canopy_counter_key_cap"));
        assertEquals(0, m.value("canopy_counter_keys_refused_total"));
        assertEquals(0, m.value("canopy_counter_increments_lost_total"));
        assertEquals(BATCHES * BATCH_SIZE, m.value("canopy_counter_total", "counter", "completed", "key",
                "global.http-proxy.request.completed", "path", "global.http-proxy.request")
                + m.value("canopy_counter_total", "counter", "failed", "key", "global.http-proxy.request.failed",
                "path", "global.http-proxy.request")
                + m.value("canopy_counter_total", "counter", "cancelled", "key",
                "global.http-proxy.request.cancelled", "path", "global.http-proxy.request"),
                "every persisted request counted its ending at its path");

        Map<List<String>, List<LockSnapshot>> locks = status.locks().stream()
                .collect(Collectors.groupingBy(l -> List.of(l.ownerPath(), l.name())));
        assertEquals(locks.size(), m.of("canopy_lock_acquisitions_total").size());
        assertEquals(2, locks.get(List.of("global.http-proxy", "route-table")).size(), "two locks share a name");
        for (var e : locks.entrySet()) {
            String[] labels = {"lock", e.getKey().get(1), "path", e.getKey().get(0)};
            List<LockSnapshot> same = e.getValue();
            // the JSON gives each lock's durations in whole milliseconds; the rows add up nanoseconds
            double slack = same.size() * 0.001 + 1e-9;
            assertEquals(same.size(), m.value("canopy_lock_instances", labels), e.getKey().toString());
            assertEquals(sum(same, LockSnapshot::acquisitions), m.value("canopy_lock_acquisitions_total", labels));
            assertEquals(sum(same, LockSnapshot::contendedAcquisitions),
                    m.value("canopy_lock_contended_acquisitions_total", labels));
            assertEquals(sum(same, l -> l.holders().size()), m.value("canopy_lock_holders", labels));
            assertEquals(sum(same, l -> l.waiters().size()), m.value("canopy_lock_waiters", labels));
            assertEquals(sum(same, l -> l.totalWait().toMillis()) / 1e3,
                    m.value("canopy_lock_wait_seconds_total", labels), slack);
            assertEquals(sum(same, l -> l.totalHold().toMillis()) / 1e3,
                    m.value("canopy_lock_hold_seconds_total", labels), slack);
            assertEquals(max(same, l -> l.maxWait().toMillis()) / 1e3,
                    m.value("canopy_lock_wait_max_seconds", labels), 0.001 + 1e-9);
            assertEquals(max(same, l -> l.maxHold().toMillis()) / 1e3,
                    m.value("canopy_lock_hold_max_seconds", labels), 0.001 + 1e-9);
            // still running: at least what the status saw a moment earlier
            long waiting = same.stream().flatMap(l -> l.waiters().stream())
                    .mapToLong(w -> w.waiting().toMillis()).max().orElse(0);
            assertTrue(m.value("canopy_lock_waiting_longest_seconds", labels) >= waiting / 1e3 - 0.001);
        }
        assertEquals(BATCHES * BATCH_SIZE + 1, m.value("canopy_lock_acquisitions_total",
                "lock", "upstream-connections", "path", "global.http-proxy"), "every request, and the bulk upload");
        List<LockSnapshot> semaphores = status.locks().stream().filter(l -> l.kind() == LockKind.SEMAPHORE).toList();
        assertEquals(semaphores.size(), m.of("canopy_semaphore_permits_available").size(), "a row per semaphore");
        assertEquals(0, m.value("canopy_semaphore_permits_available", "lock", "upstream-connections", "path",
                "global.http-proxy"), "the pool is exhausted");
        assertEquals(1, m.value("canopy_semaphore_permits_requested", "lock", "upstream-connections", "path",
                "global.http-proxy"), "and a request queues for it");
        for (LockSnapshot l : semaphores) {
            String[] labels = {"lock", l.name(), "path", l.ownerPath()};
            assertEquals(l.permits(), m.value("canopy_semaphore_permits_available", labels), l.name());
            assertEquals(l.holders().stream().mapToInt(LockHolder::count).sum(),
                    m.value("canopy_semaphore_permits_held", labels), l.name());
            assertEquals(l.waiters().stream().mapToInt(LockWaiter::permits).sum(),
                    m.value("canopy_semaphore_permits_requested", labels), l.name());
        }
        assertEquals(BATCHES * BATCH_SIZE, m.value("canopy_lock_acquisitions_total",
                "lock", "route-table", "path", "global.http-proxy"), "both route-table locks, added up");

        Map<String, Long> warnings = status.warnings().stream()
                .collect(Collectors.groupingBy(w -> w.severity() + "/" + w.kind(), Collectors.counting()));
        assertEquals(WarningKind.values().length, m.of("canopy_warnings").stream()
                .map(s -> s.labels().get("kind")).distinct().count(), "every kind listed");
        for (Exposition.Sample s : m.of("canopy_warnings")) {
            String key = s.labels().get("severity") + "/" + s.labels().get("kind");
            assertEquals((double) warnings.getOrDefault(key, 0L), s.value(), key);
        }
        assertEquals(Set.copyOf(warnings.keySet()), m.of("canopy_warnings").stream().filter(s -> s.value() > 0)
                .map(s -> s.labels().get("severity") + "/" + s.labels().get("kind")).collect(Collectors.toSet()));
        assertEquals(1, status.warnings().stream().map(Warning::kind).filter(WarningKind.DEADLOCK::equals).count());
        assertEquals(status.deadlocks().size(), m.value("canopy_deadlocks"));
        assertEquals(1, m.value("canopy_deadlocks"));
    }

    private static double sum(List<LockSnapshot> locks, java.util.function.ToLongFunction<LockSnapshot> f) {
        return locks.stream().mapToLong(f).sum();
    }

    private static double max(List<LockSnapshot> locks, java.util.function.ToLongFunction<LockSnapshot> f) {
        return locks.stream().mapToLong(f).max().orElse(0);
    }

    // ------------------------------------------------------------------ helpers

    private static void assertTypes(Exposition m) {
        Map<String, String> canopy = new TreeMap<>();
        m.types().forEach((name, type) -> {
            if (name.startsWith("canopy_")) {
                canopy.put(name, type);
            }
        });
        assertEquals(new TreeMap<>(FAMILIES), canopy, "every family, each with its type (none untyped)");
        for (Exposition.Sample s : m.samples()) {
            if (s.name().startsWith("canopy_")) {
                assertTrue(FAMILIES.containsKey(s.name()), "a sample of a declared family: " + s.name());
            }
        }
    }

    private static void assertNoIdsInLabels(Exposition m) {
        for (Exposition.Sample s : m.samples()) {
            if (s.name().startsWith("canopy_")) {
                assertFalse(s.labels().containsKey("_objectname"), "no ObjectName fallback label: " + s.series());
                s.labels().values().forEach(v -> assertFalse(v.matches(".*#\\d+.*"), "an id in a label: " + s.series()));
            }
        }
    }

    private static Set<String> canopySeries(Exposition m) {
        return m.samples().stream().filter(s -> s.name().startsWith("canopy_")).map(Exposition.Sample::series)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private ChildJvm startApp(int port, Path config) throws Exception {
        assertTrue(Files.isRegularFile(AGENT), AGENT + " is missing: run the tests through Maven, which copies the "
                + "jmx_prometheus_javaagent artifact there");
        return ChildJvm.start(PrometheusChurnApp.class.getName(), List.of(
                "-javaagent:" + AGENT.toAbsolutePath() + "=127.0.0.1:" + port + ":" + config.toAbsolutePath(),
                "-Dcanopy.jmx.mode=ALL", "-Dcanopy.jmx.maxContextBeans=5000", "-Xmx256m"),
                "Prometheus churn app running as pid ");
    }

    private String scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
                "the text format: " + r.headers().map());
        return r.body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }
}
