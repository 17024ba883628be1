package dev.canopy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.*;

class DataTest {
    private final ContextTree tree = ContextTree.create();
    private final Context ctx = tree.root().child("session").open();

    record Peer(String id, int port) {
    }

    static final class Node {
        public List<Node> next = new ArrayList<>();
    }

    @AfterEach
    void closeTree() {
        tree.close();
    }

    @Test
    void anyJacksonValueIsStoredAsJson() {
        ctx.setData("peer", new Peer("alice", 22));
        ctx.setData("shell", "bash");
        ctx.setData("tags", List.of("a", "b"));
        assertEquals("{\"id\":\"alice\",\"port\":22}", ctx.getDataJson("peer").orElseThrow());
        assertEquals("\"bash\"", ctx.getDataJson("shell").orElseThrow());
        assertEquals(new Peer("alice", 22), ctx.getData("peer", Peer.class).orElseThrow());
        assertEquals("bash", ctx.getData("shell", String.class).orElseThrow());
        assertEquals(List.of("peer", "shell", "tags"), List.copyOf(ctx.dataJson().keySet()), "sorted by key");
        assertTrue(ctx.getDataJson("missing").isEmpty());
        assertTrue(ctx.getData("missing", String.class).isEmpty());
    }

    @Test
    void storedValuesCannotBeChangedFromOutside() {
        Map<String, Integer> value = new java.util.HashMap<>(Map.of("a", 1));
        ctx.setData("x", value);
        value.put("a", 2); // converted when set: later changes to the object are not seen
        @SuppressWarnings("unchecked")
        Map<String, Integer> read = ctx.getData("x", Map.class).orElseThrow();
        read.put("a", 3); // a read is a copy
        assertEquals("{\"a\":1}", ctx.getDataJson("x").orElseThrow());
    }

    @Test
    void nullRemovesAKey() {
        ctx.setData("k", 1);
        ctx.setData("k", null);
        assertTrue(ctx.getDataJson("k").isEmpty());
    }

    @Test
    void cyclicValuesAreRefusedWithTheKeyNamed() {
        Node a = new Node();
        a.next.add(a);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ctx.setData("graph", a));
        assertTrue(e.getMessage().startsWith("data value for key \"graph\""), e.getMessage());
        assertTrue(ctx.getDataJson("graph").isEmpty());
    }

    @Test
    void metricsOfEveryKind() {
        ctx.addMetric("commands", MetricValue.counter(3));
        ctx.addMetric("load", MetricValue.gauge(0.5));
        ctx.addMetric("latency", MetricValue.duration(Duration.ofMillis(12)));
        ctx.addMetric("shell", MetricValue.text("bash"));
        ctx.addMetric("bytes", MetricValue.bytes(1024));
        ctx.addMetric("commands", MetricValue.counter(4));
        Map<String, MetricValue> m = ctx.metrics();
        assertEquals(List.of("bytes", "commands", "latency", "load", "shell"), List.copyOf(m.keySet()));
        assertEquals(new MetricValue.Counter(4), m.get("commands"));
        assertEquals(new MetricValue.DurationValue(Duration.ofMillis(12)), ctx.getMetric("latency").orElseThrow());
    }

    @Test
    void badMetricValuesAreRefused() {
        assertEquals("bytes metric must not be negative: -1",
                assertThrows(IllegalArgumentException.class, () -> MetricValue.bytes(-1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> MetricValue.counter(-5));
        assertThrows(IllegalArgumentException.class, () -> MetricValue.duration(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> MetricValue.text(null));
        assertThrows(NullPointerException.class, () -> ctx.addMetric("x", null));
    }

    @Test
    void builderDataAndMetricsArePresentFromTheStart() {
        Context c = tree.root().child("c").withData("peer", "bob").withMetric("n", MetricValue.counter(1)).open();
        assertEquals("bob", c.getData("peer", String.class).orElseThrow());
        assertEquals(MetricValue.counter(1), c.getMetric("n").orElseThrow());
    }

    @Test
    void aFailureMessageQuotingASecretIsShownWithoutIt() {
        ctx.setSecret("credentials", Map.of("user", "alice", "password", "hunter2!", "pin", 4711));
        ctx.setData("shown", "not-a-secret");
        Context call = ctx.child("call").persist().open();
        call.fail(new IllegalStateException("login alice/hunter2! with pin 4711 refused (not-a-secret)"));
        String expected = "login <redacted>/<redacted> with pin <redacted> refused (not-a-secret)";
        assertEquals(expected, tree.status().recentCompletions().stream()
                .filter(c -> c.path().equals("global.session.call")).findFirst().orElseThrow().message());
        assertFalse(tree.statusJson().contains("hunter2"), tree.statusJson());
        assertEquals("a <redacted> b", call.withoutSecrets("a hunter2! b"));
        assertEquals("short values such as ok stay", ctx.withoutSecrets("short values such as ok stay"));
        assertEquals("hunter2!", ctx.getData("credentials", Map.class).orElseThrow().get("password"),
                "the value itself is kept for the process");
        assertEquals("login alice/hunter2! with pin 4711 refused (not-a-secret)",
                call.failure().orElseThrow().getMessage(), "the exception itself is not changed");
    }
    @Test
    void aCancelReasonQuotingASecretIsKeptWithoutIt() throws Exception {
        ctx.setSecret("token", "tok-5150-secret");
        Context call = ctx.child("call").open();
        Context inner = call.child("inner").open();
        call.cancel("upstream refused tok-5150-secret");
        assertEquals("upstream refused <redacted>", inner.cancellation().orElseThrow().reason(),
                "the whole subtree shares the reason without the secret");
        CancellationException seen = assertThrows(CancellationException.class, inner::throwIfCancelled);
        assertFalse(seen.getMessage().contains("tok-5150"), seen.getMessage());
        assertFalse(tree.statusJson().contains("tok-5150"), tree.statusJson());
    }

    @Test
    void aCancelReasonCutAtItsLimitKeepsNoPartOfASecret() {
        String secret = "s".repeat(40);
        ctx.setSecret("key", secret);
        String reason = "x".repeat(980) + secret + "y".repeat(100);
        ctx.cancel(reason);
        String kept = ctx.cancellation().orElseThrow().reason();
        assertTrue(kept.startsWith("x".repeat(980) + "<redacted>yyy"), kept);
        assertFalse(kept.contains("ssss"), kept);
    }

    @Test
    void liveValuesOfARedactedKeyAreSearchedFor() {
        try (ContextTree redacting = ContextTree.builder().rootName("r").redactKeys("authorization").build()) {
            Context request = redacting.root().child("request")
                    .withLiveData(out -> {
                        out.accept("authorization", "Bearer abc.def.ghi");
                        out.accept("user", "carol");
                    }).persist().open();
            try (Context call = request.child("call").open()) {
                assertEquals("header <redacted> refused for carol",
                        call.withoutSecrets("header Bearer abc.def.ghi refused for carol"), "an ancestor's live value");
            }
            request.fail(new SecurityException("token Bearer abc.def.ghi expired"));
            assertEquals("token <redacted> expired", redacting.status().recentCompletions().get(0).message());
        }
    }
}
