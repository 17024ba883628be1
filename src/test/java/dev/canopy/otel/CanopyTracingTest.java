package dev.canopy.otel;

import dev.canopy.Canopy;
import dev.canopy.Context;
import dev.canopy.ContextState;
import dev.canopy.ContextTree;
import dev.canopy.Registration;
import dev.canopy.Task;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** Contexts exported as spans to the SDK's in-memory exporter, and trace headers made and read. */
class CanopyTracingTest {
    private static final String TRACEPARENT_FORMAT = "00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}";
    private static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";
    private static final String CALLER = "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01";

    private ContextTree tree;
    private InMemorySpanExporter exported;
    private SdkTracerProvider provider;
    private OpenTelemetrySdk openTelemetry;
    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    @BeforeEach
    void setUp() {
        tree = ContextTree.builder().rootName("test").redactKeys("api-key").build();
        exported = InMemorySpanExporter.create();
        provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exported)).build();
        openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
        openTelemetry.close();
        tree.close();
    }

    private SpanData span(String name) {
        List<SpanData> named = exported.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
        assertEquals(1, named.size(), () -> "one span named " + name + " in " + names());
        return named.get(0);
    }

    private List<String> names() {
        return exported.getFinishedSpanItems().stream().map(SpanData::getName).sorted().toList();
    }

    private static void assertChildOf(SpanData parent, SpanData child) {
        assertEquals(parent.getTraceId(), child.getTraceId(), () -> child.getName() + " in the trace of " + parent.getName());
        assertEquals(parent.getSpanId(), child.getParentSpanId(), () -> child.getName() + " a child of " + parent.getName());
    }

    private static String attribute(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }

    // ------------------------------------------------------------------ the tree as spans

    @Test
    void openedContextsAreSpansLinkedAsTheTreeIs() {
        try (Registration export = CanopyTracing.export(tree, openTelemetry);
             Context service = tree.root().child("shop").open();
             Context request = service.child("checkout").open();
             Context query = request.child("db-query").open()) {
            assertTrue(exported.getFinishedSpanItems().isEmpty(), "a span ends when its context does");
        }
        SpanData shop = span("shop");
        SpanData checkout = span("checkout");
        SpanData query = span("db-query");
        assertFalse(shop.getParentSpanContext().isValid(), "the first exported context starts a trace");
        assertChildOf(shop, checkout);
        assertChildOf(checkout, query);
        assertEquals("test.shop.checkout.db-query", attribute(query, CanopyTracing.PATH_ATTRIBUTE));
        assertEquals(SpanKind.INTERNAL, query.getKind());
        assertEquals(StatusCode.UNSET, query.getStatus().getStatusCode());
        assertEquals(CanopyTracing.INSTRUMENTATION_SCOPE, query.getInstrumentationScopeInfo().getName());
    }

    @Test
    void spawnedTasksAndWorkOnAWrappedExecutorAreChildrenOfTheirContextsSpan() throws Exception {
        AtomicReference<String> handedOffThread = new AtomicReference<>();
        try (Registration export = CanopyTracing.export(tree, openTelemetry);
             Context request = tree.root().child("request").open()) {
            Task<Void> worker = request.spawnChild("worker", ctx -> {
                try (Context step = ctx.child("step").open()) {
                    step.touch();
                }
                return null;
            });
            worker.join();

            CountDownLatch done = new CountDownLatch(1);
            request.wrap(pool).execute(() -> {
                handedOffThread.set(Thread.currentThread().getName());
                try (Context handedOff = Canopy.current().child("handed-off").open()) {
                    handedOff.touch();
                } finally {
                    done.countDown();
                }
            });
            assertTrue(done.await(10, TimeUnit.SECONDS), "the executor ran the work");
        }
        assertNotEquals(Thread.currentThread().getName(), handedOffThread.get());
        SpanData request = span("request");
        assertChildOf(request, span("worker"));
        assertChildOf(span("worker"), span("step"));
        assertChildOf(request, span("handed-off"));
    }

    @Test
    void dataBecomesAttributesAndSecretsNeverDo() {
        try (Registration export = CanopyTracing.export(tree, openTelemetry);
             Context c = tree.root().child("login")
                     .withData("user", "alice").withData("port", 22).withData("ratio", 0.5).withData("tls", true)
                     .withData("quoted", "say \"hi\"").withData("peer", Map.of("host", "10.0.0.7"))
                     .withSecret("password", "hunter2").withData("api-key", "k-123")
                     .open()) {
            c.setData("attempt", 3);
            c.setSecret("session-cookie", "s3cr3t");
        }
        SpanData login = span("login");
        Map<String, Object> attributes = new HashMap<>();
        login.getAttributes().forEach((k, v) -> attributes.put(k.getKey(), v));
        assertEquals("alice", attributes.get("user"));
        assertEquals(22L, attributes.get("port"));
        assertEquals(0.5, attributes.get("ratio"));
        assertEquals(true, attributes.get("tls"));
        assertEquals("say \"hi\"", attributes.get("quoted"));
        assertEquals("{\"host\":\"10.0.0.7\"}", attributes.get("peer"));
        assertEquals(3L, attributes.get("attempt"), "data set while the context ran is copied at its end");
        for (String secret : List.of("password", "api-key", "session-cookie")) {
            assertFalse(attributes.containsKey(secret), () -> secret + " is a secret: " + attributes);
        }
        String all = attributes.toString();
        assertFalse(all.contains("hunter2") || all.contains("k-123") || all.contains("s3cr3t") || all.contains("redacted"), all);
    }

    @Test
    void aFailedContextIsAnErrorWithItsExceptionRecorded() {
        IllegalStateException diskFull = new IllegalStateException("disk full");
        try (Registration export = CanopyTracing.export(tree, openTelemetry)) {
            tree.root().child("write").open().fail(diskFull);
            Task<Void> task = tree.root().spawnChild("compute", ctx -> {
                throw new ArithmeticException("division by zero");
            });
            assertThrows(CompletionException.class, task::join);
        }
        SpanData write = span("write");
        assertEquals(StatusCode.ERROR, write.getStatus().getStatusCode());
        assertTrue(write.getStatus().getDescription().contains("disk full"), write.getStatus().getDescription());
        EventData event = write.getEvents().get(0);
        assertEquals("exception", event.getName());
        assertEquals(IllegalStateException.class.getName(), event.getAttributes().get(AttributeKey.stringKey("exception.type")));
        assertEquals("disk full", event.getAttributes().get(AttributeKey.stringKey("exception.message")));

        SpanData compute = span("compute");
        assertEquals(StatusCode.ERROR, compute.getStatus().getStatusCode());
        assertTrue(compute.getStatus().getDescription().contains("division by zero"), compute.getStatus().getDescription());
    }

    @Test
    void aFailureQuotingASecretIsExportedWithoutIt() {
        try (Registration export = CanopyTracing.export(tree, openTelemetry)) {
            Context session = tree.root().child("session").withSecret("api-key", "sk-live-4242").open();
            Context call = session.child("call").open();
            call.fail(new IllegalStateException("upstream refused key sk-live-4242",
                    new RuntimeException("cause also quotes sk-live-4242")));
            session.close();
        }
        SpanData call = span("call");
        String exported = call.getStatus().getDescription() + call.getEvents() + call.getAttributes();
        assertFalse(exported.contains("sk-live-4242"), exported);
        EventData event = call.getEvents().get(0);
        assertEquals("upstream refused key <redacted>",
                event.getAttributes().get(AttributeKey.stringKey("exception.message")));
        String stack = event.getAttributes().get(AttributeKey.stringKey("exception.stacktrace"));
        assertTrue(stack.contains("cause also quotes <redacted>") && stack.contains("CanopyTracingTest"), stack);
    }

    @Test
    void aCancelledContextIsAnErrorWithTheCancelReason() {
        try (Registration export = CanopyTracing.export(tree, openTelemetry);
             Context session = tree.root().child("session").open();
             Context stream = session.child("stream").open()) {
            session.cancel("user hung up");
            assertEquals(ContextState.CANCELLED, stream.state());
        }
        for (String name : List.of("session", "stream")) {
            SpanData s = span(name);
            assertEquals(StatusCode.ERROR, s.getStatus().getStatusCode(), name);
            assertEquals("cancelled: user hung up", s.getStatus().getDescription(), name);
            assertEquals("user hung up", attribute(s, CanopyTracing.CANCEL_REASON_ATTRIBUTE), name);
            assertEquals("test.session", attribute(s, CanopyTracing.CANCEL_INITIATOR_ATTRIBUTE), name);
        }
    }

    // ------------------------------------------------------------------ which contexts

    @Test
    void aPathPrefixSelectsThatContextAndWhatIsBelowIt() {
        try (Registration export = CanopyTracing.export(tree, openTelemetry, ExportOptions.pathPrefix("test.http"));
             Context http = tree.root().child("http").open();
             Context request = http.child("request").open();
             Context https = tree.root().child("https").open();
             Context other = tree.root().child("chat").open();
             Context message = other.child("message").open()) {
            request.touch();
        }
        assertEquals(List.of("http", "request"), names());
        assertChildOf(span("http"), span("request"));
    }

    @Test
    void aPredicateSelects() {
        ExportOptions tenantsOnly = ExportOptions.matching(c -> c.getDataJson("tenant").isPresent());
        try (Registration export = CanopyTracing.export(tree, openTelemetry, tenantsOnly);
             Context a = tree.root().child("a").withData("tenant", "acme").open();
             Context b = tree.root().child("b").open()) {
            b.touch();
        }
        assertEquals(List.of("a"), names());
    }

    @Test
    void aChildOfAnExcludedContextHangsUnderTheNearestExportedAncestorOrStartsATrace() {
        ExportOptions options = ExportOptions.all().excluding("test.proxy", "test.job.pool");
        try (Registration export = CanopyTracing.export(tree, openTelemetry, options);
             Context proxy = tree.root().child("proxy").open();
             Context request = proxy.child("request").open();
             Context job = tree.root().child("job").open();
             Context pool = job.child("pool").open();
             Context lease = pool.child("lease").open()) {
            assertEquals(Optional.empty(), CanopyTracing.traceparent(proxy), "no span at or above it");
            assertEquals(CanopyTracing.traceparent(job), CanopyTracing.traceparent(pool),
                    "calls made for an excluded context continue its nearest exported ancestor's span");
        }
        assertEquals(List.of("job", "lease", "request"), names());
        assertFalse(span("request").getParentSpanContext().isValid(), "no exported ancestor: a trace of its own");
        assertChildOf(span("job"), span("lease"));
    }

    @Test
    void aThrowingPredicateLeavesTheContextOutAndTheTreeWorking() {
        ExportOptions broken = ExportOptions.matching(c -> {
            if (c.name().equals("bad")) {
                throw new IllegalStateException("predicate bug");
            }
            return true;
        });
        try (Registration export = CanopyTracing.export(tree, openTelemetry, broken);
             Context bad = tree.root().child("bad").open();
             Context good = bad.child("good").open()) {
            assertEquals(ContextState.ACTIVE, good.state());
        }
        assertEquals(List.of("good"), names());
    }

    @Test
    void onlyContextsCreatedWhileExportingAreSpansAndTheyEndAfterTheExportCloses() {
        Context before = tree.root().child("before").open();
        Registration export = CanopyTracing.export(tree, openTelemetry);
        Context during = before.child("during").open();
        export.close();
        Context after = tree.root().child("after").open();
        after.close();
        during.close();
        before.close();
        assertEquals(List.of("during"), names());
        assertEquals(Optional.empty(), CanopyTracing.traceparent(after));
    }

    // ------------------------------------------------------------------ trace headers

    @Test
    void traceparentAndInjectGiveTheContextsSpan() {
        String traceparent;
        try (Registration export = CanopyTracing.export(tree, openTelemetry);
             Context call = tree.root().child("call").open()) {
            traceparent = CanopyTracing.traceparent(call).orElseThrow();
            HttpRequest request = CanopyTracing.inject(call, HttpRequest.newBuilder(URI.create("http://127.0.0.1:9/"))).build();
            assertEquals(Optional.of(traceparent), request.headers().firstValue("traceparent"));
            assertEquals(Map.of("traceparent", traceparent), CanopyTracing.traceHeaders(call));
            assertEquals(Optional.of("\"" + traceparent + "\""), call.getDataJson(CanopyTracing.TRACEPARENT_KEY),
                    "shown with the context, to find the trace from a status");
        }
        assertTrue(traceparent.matches(TRACEPARENT_FORMAT), traceparent);
        SpanData call = span("call");
        assertEquals("00-" + call.getTraceId() + "-" + call.getSpanId() + "-" + call.getSpanContext().getTraceFlags().asHex(),
                traceparent);
        assertFalse(call.getAttributes().asMap().keySet().stream().anyMatch(k -> k.getKey().startsWith("trace")),
                "the ids are the span's own, not attributes: " + call.getAttributes());
    }

    @Test
    void aContextWithoutASpanHasNoTraceparentAndInjectSetsNothing() {
        try (Context plain = tree.root().child("plain").open()) {
            assertEquals(Optional.empty(), CanopyTracing.traceparent(plain));
            HttpRequest request = CanopyTracing.inject(plain, HttpRequest.newBuilder(URI.create("http://127.0.0.1:9/"))).build();
            assertTrue(request.headers().map().isEmpty(), request.headers().toString());
        }
    }

    @Test
    void aContinuedTraceMakesTheContextsSpanAChildOfTheCaller() {
        Map<String, List<String>> headers = Map.of("TraceParent", List.of(CALLER), "tracestate", List.of("vendor=abc"));
        try (Registration export = CanopyTracing.export(tree, openTelemetry);
             Context request = CanopyTracing.continueTrace(tree.root().child("request"), headers).open()) {
            assertEquals(Map.of("traceparent", CanopyTracing.traceparent(request).orElseThrow(), "tracestate", "vendor=abc"),
                    CanopyTracing.traceHeaders(request), "the caller's trace state goes on to the next call");
        }
        SpanData request = span("request");
        assertEquals(CALLER_TRACE, request.getTraceId());
        assertEquals(CALLER_SPAN, request.getParentSpanId());
        assertTrue(request.getParentSpanContext().isRemote());
        assertEquals(SpanKind.SERVER, request.getKind());
        assertEquals("abc", request.getSpanContext().getTraceState().get("vendor"));
    }

    @Test
    void aContinuedTraceReachesSpawnedWorkAndPassesThroughWhenNotExported() throws Exception {
        Map<String, List<String>> headers = Map.of("traceparent", List.of(CALLER));
        ExportOptions options = ExportOptions.all().excluding("test.request");
        try (Registration export = CanopyTracing.export(tree, openTelemetry, options)) {
            Task<String> task = CanopyTracing.continueTrace(tree.root().child("request"), name -> headers.getOrDefault(name, List.of()).stream().findFirst().orElse(null))
                    .spawn(ctx -> {
                        try (Context inner = ctx.child("inner").open()) {
                            return CanopyTracing.traceparent(ctx).orElseThrow();
                        }
                    });
            assertEquals(CALLER, task.get(10, TimeUnit.SECONDS), "not a span: calls go on with the caller's span");
        }
        SpanData inner = span("inner");
        assertEquals(CALLER_TRACE, inner.getTraceId());
        assertEquals(CALLER_SPAN, inner.getParentSpanId());
    }

    @Test
    void badTraceHeadersAreIgnoredAndTheContextStillOpens() {
        List<Map<String, List<String>>> bad = List.of(
                Map.of(),
                Map.of("traceparent", List.of()),
                Map.of("traceparent", List.of("")),
                Map.of("traceparent", List.of("garbage")),
                Map.of("traceparent", List.of("00-" + CALLER_TRACE.toUpperCase() + "-" + CALLER_SPAN + "-01")),
                Map.of("traceparent", List.of("00-00000000000000000000000000000000-" + CALLER_SPAN + "-01")),
                Map.of("traceparent", List.of("00-" + CALLER_TRACE + "-0000000000000000-01")),
                Map.of("traceparent", List.of("ff-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01")),
                Map.of("traceparent", List.of("00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01-extra")),
                Map.of("traceparent", List.of("00-" + CALLER_TRACE + "-" + CALLER_SPAN + "\n-01")),
                Map.of("traceparent", List.of("x".repeat(100_000))));
        try (Registration export = CanopyTracing.export(tree, openTelemetry)) {
            for (Map<String, List<String>> headers : bad) {
                try (Context c = CanopyTracing.continueTrace(tree.root().child("request"), headers).open()) {
                    assertEquals(Optional.empty(), c.getDataJson(CanopyTracing.REMOTE_TRACEPARENT_KEY), headers::toString);
                }
            }
            try (Context c = CanopyTracing.continueTrace(tree.root().child("request"), name -> {
                throw new IllegalStateException("header read failed");
            }).open()) {
                assertEquals(ContextState.ACTIVE, c.state());
            }
            Map<String, List<String>> nullValues = new HashMap<>();
            nullValues.put("traceparent", null);
            try (Context c = CanopyTracing.continueTrace(tree.root().child("request"), nullValues).open()) {
                assertEquals(ContextState.ACTIVE, c.state());
            }
        }
        assertEquals(bad.size() + 2, exported.getFinishedSpanItems().size());
        for (SpanData s : exported.getFinishedSpanItems()) {
            assertFalse(s.getParentSpanContext().isValid(), "each started a trace of its own");
            assertEquals(SpanKind.INTERNAL, s.getKind());
        }
    }

    @Test
    void aHandWrittenRemoteParentThatIsNotAHeaderIsIgnored() {
        try (Registration export = CanopyTracing.export(tree, openTelemetry);
             Context c = tree.root().child("request").withData(CanopyTracing.REMOTE_TRACEPARENT_KEY, Map.of("not", "text")).open()) {
            assertEquals(ContextState.ACTIVE, c.state());
        }
        assertFalse(span("request").getParentSpanContext().isValid());
    }

    @Test
    void aContextWithNoSpanAboveItJoinsTheOpenTelemetrySpanCurrentOnTheThread() {
        Span outer = openTelemetry.getTracer("app").spanBuilder("http-server").startSpan();
        try (Registration export = CanopyTracing.export(tree, openTelemetry);
             io.opentelemetry.context.Scope s = outer.makeCurrent();
             Context c = tree.root().child("handler").open()) {
            c.touch();
        } finally {
            outer.end();
        }
        assertChildOf(span("http-server"), span("handler"));
    }

    @Test
    void spansOtherInstrumentationStartsInAContextsCodeAreChildrenOfItsSpan() throws Exception {
        var http = openTelemetry.getTracer("http-client");
        Context before = tree.root().child("before-export").open();
        try (Registration export = CanopyTracing.export(tree, openTelemetry, ExportOptions.all()
                .excluding("test.request.cache"));
             Context request = tree.root().child("request").open();
             Context cache = request.child("cache").open()) {
            try (dev.canopy.Scope s = request.makeCurrent()) {
                http.spanBuilder("GET /inventory").startSpan().end();
                try (dev.canopy.Scope inner = cache.makeCurrent()) {
                    http.spanBuilder("in-excluded").startSpan().end();
                }
                String requestSpan = CanopyTracing.traceparent(request).orElseThrow().split("-")[2];
                assertEquals(requestSpan, Span.current().getSpanContext().getSpanId(),
                        "the outer scope's span is current again");
            }
            assertFalse(Span.current().getSpanContext().isValid(), "closing the scope restores OpenTelemetry's");
            request.spawnChild("worker", ctx -> {
                http.spanBuilder("POST /payment").startSpan().end();
                return null;
            }).join();
            CountDownLatch done = new CountDownLatch(1);
            request.wrap(pool).execute(() -> {
                http.spanBuilder("on-executor").startSpan().end();
                done.countDown();
            });
            assertTrue(done.await(10, TimeUnit.SECONDS), "the executor ran the work");
            try (dev.canopy.Scope s = before.makeCurrent()) {
                assertFalse(Span.current().getSpanContext().isValid(), "a context from before the export has no span");
            }
        } finally {
            before.close();
        }
        assertChildOf(span("request"), span("GET /inventory"));
        assertChildOf(span("request"), span("in-excluded"));
        assertChildOf(span("worker"), span("POST /payment"));
        assertChildOf(span("request"), span("on-executor"));
    }

    // ------------------------------------------------------------------ bad arguments

    @Test
    void badArgumentsAreRefusedNamingThem() {
        assertEquals("tree", assertThrows(NullPointerException.class,
                () -> CanopyTracing.export(null, openTelemetry)).getMessage());
        assertEquals("openTelemetry", assertThrows(NullPointerException.class,
                () -> CanopyTracing.export(tree, null)).getMessage());
        assertEquals("options", assertThrows(NullPointerException.class,
                () -> CanopyTracing.export(tree, openTelemetry, null)).getMessage());
        assertEquals("context", assertThrows(NullPointerException.class,
                () -> CanopyTracing.traceparent(null)).getMessage());
        assertEquals("child", assertThrows(NullPointerException.class,
                () -> CanopyTracing.continueTrace(null, Map.of())).getMessage());
        for (String path : List.of("", " ", ".x", "global.")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExportOptions.pathPrefix(path));
            assertTrue(e.getMessage().contains("\"" + path + "\""), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ExportOptions.all().excluding(path));
        }
        ContextTree closed = ContextTree.builder().rootName("closed").build();
        closed.close();
        assertThrows(IllegalStateException.class, () -> CanopyTracing.export(closed, openTelemetry));
    }
}
