package dev.canopy.otel;

import dev.canopy.Canopy;
import dev.canopy.Context;
import dev.canopy.ContextState;
import dev.canopy.ContextTree;
import dev.canopy.Scope;
import dev.canopy.TestTrees;
import dev.canopy.bridge.StallingServer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** Spans of the OpenTelemetry SDK, around real HTTP calls to a stalling loopback server, seen through the processor. */
class CanopySpanProcessorTest {
    private ContextTree tree;
    private CanopySpanProcessor processor;
    private InMemorySpanExporter exported;
    private SdkTracerProvider provider;
    private Tracer tracer;
    private StallingServer server;
    private final HttpClient client = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
    private final ExecutorService caller = Executors.newSingleThreadExecutor();

    @BeforeEach
    void setUp() throws IOException {
        tree = ContextTree.builder().rootName("test").build();
        processor = new CanopySpanProcessor(tree);
        exported = InMemorySpanExporter.create();
        provider = SdkTracerProvider.builder()
                .addSpanProcessor(processor)
                .addSpanProcessor(SimpleSpanProcessor.create(exported)) // beside an exporting pipeline, as in a service
                .build();
        tracer = provider.get("canopy-test");
        server = new StallingServer();
    }

    @AfterEach
    void tearDown() {
        server.close();
        caller.shutdownNow();
        provider.close();
        tree.close();
    }

    /** A client span around a real request, as HTTP client instrumentation makes it. */
    private HttpResponse<String> tracedGet(String path) {
        Span span = tracer.spanBuilder("GET").setSpanKind(SpanKind.CLIENT)
                .setAttribute("http.request.method", "GET")
                .setAttribute("url.full", server.uri(path).toString())
                .setAttribute("http.request.header.authorization", "Bearer secret-token")
                .startSpan();
        try (io.opentelemetry.context.Scope s = span.makeCurrent()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            span.setAttribute("http.response.status_code", r.statusCode());
            return r;
        } catch (IOException e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            span.end();
        }
    }

    private Context only(String path) {
        List<Context> found = tree.findByPath(path);
        assertEquals(1, found.size(), () -> "one context at " + path + " in\n" + tree.status());
        return found.get(0);
    }

    @Test
    void aSpanIsAContextWhileInFlightAndGoneAfter() throws Exception {
        CompletableFuture<HttpResponse<String>> response = CompletableFuture.supplyAsync(() -> tracedGet("/ok"), caller);
        server.awaitArrival();

        Context request = only("test.spans.GET");
        String shown = tree.status().toString();
        assertTrue(shown.contains("span.kind=CLIENT") && shown.contains("http.request.method=GET")
                && shown.contains("url.full=http://"), shown);
        assertTrue(shown.matches("(?s).*trace\\.id=[0-9a-f]{32}\\b.*") && shown.matches("(?s).*span\\.id=[0-9a-f]{16}\\b.*"),
                shown);
        assertFalse(shown.contains("secret-token"), "secret-like attributes are never copied:\n" + shown);

        server.release.countDown();
        assertEquals(200, response.get(10, TimeUnit.SECONDS).statusCode());
        assertEquals(ContextState.COMPLETED, request.state());
        assertTrue(request.isEnded());
        assertEquals(List.of(), tree.findByPath("test.spans.GET"));
        assertEquals(0, processor.liveSpans());
        assertEquals(1, exported.getFinishedSpanItems().size(), "the exporting pipeline beside it saw the span too");
    }

    @Test
    void childSpansNestUnderTheirParentSpansContext() throws Exception {
        AtomicReference<String> traceId = new AtomicReference<>();
        CompletableFuture<HttpResponse<String>> response = CompletableFuture.supplyAsync(() -> {
            Span flow = tracer.spanBuilder("checkout.flow").startSpan();
            traceId.set(flow.getSpanContext().getTraceId());
            try (io.opentelemetry.context.Scope s = flow.makeCurrent()) {
                return tracedGet("/ok");
            } finally {
                flow.end();
            }
        }, caller);
        server.awaitArrival();

        Context flow = only("test.spans.checkout_flow");
        Context request = only("test.spans.checkout_flow.GET");
        assertEquals(flow, request.parent().orElseThrow());
        String shown = tree.status().toString();
        assertTrue(shown.contains("span.name=checkout.flow"), "the original name is kept:\n" + shown);
        assertEquals(2, shown.split("trace\\.id=" + traceId.get(), -1).length - 1, "one trace, two spans:\n" + shown);

        server.release.countDown();
        response.get(10, TimeUnit.SECONDS);
        assertTrue(flow.isEnded() && request.isEnded());
    }

    @Test
    void aFailedSpanEndsFailedWithTheRecordedException() throws Exception {
        CompletableFuture<HttpResponse<String>> response = CompletableFuture.supplyAsync(() -> tracedGet("/broken"), caller);
        server.awaitArrival();
        Context request = only("test.spans.GET");

        server.release.countDown();
        ExecutionException e = assertThrows(ExecutionException.class, () -> response.get(10, TimeUnit.SECONDS));
        assertEquals(ContextState.FAILED, request.state());
        assertSame(e.getCause().getCause(), request.failure().orElseThrow(), "the IOException the client threw");
    }

    @Test
    void anErrorStatusWithoutAnExceptionFailsWithTheDescription() {
        Span span = tracer.spanBuilder("charge").startSpan();
        Context charge = only("test.spans.charge");
        span.setStatus(StatusCode.ERROR, "card declined");
        span.end();
        assertEquals(ContextState.FAILED, charge.state());
        Throwable failure = charge.failure().orElseThrow();
        assertInstanceOf(SpanStatusException.class, failure);
        assertEquals("span \"charge\" ended with status ERROR: card declined", failure.getMessage());
    }

    @Test
    void aRootSpanGoesUnderTheCurrentContextAndARemoteParentIsNoLocalParent() {
        try (Context service = tree.root().child("billing").open(); Scope s = service.makeCurrent()) {
            Span job = tracer.spanBuilder("nightly-job").startSpan();
            assertEquals(1, tree.findByPath("test.billing.nightly-job").size(), tree.status()::toString);
            job.end();
        }
        SpanContext remote = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                TraceFlags.getSampled(), TraceState.getDefault());
        Span server = tracer.spanBuilder("POST /orders").setSpanKind(SpanKind.SERVER)
                .setParent(io.opentelemetry.context.Context.root().with(Span.wrap(remote))).startSpan();
        assertEquals(1, tree.findByPath("test.spans.POST /orders").size(), tree.status()::toString);
        assertTrue(tree.status().toString().contains("trace.id=0af7651916cd43dd8448eb211c80319c"));
        server.end();
    }

    @Test
    void attributesAreBoundedAndTheRootConfigurable() {
        CanopySpanProcessor two = new CanopySpanProcessor(tree).withMaxAttributes(2).withRoot("test.traced");
        try (SdkTracerProvider p = SdkTracerProvider.builder().addSpanProcessor(two).build()) {
            Span span = p.get("t").spanBuilder("work").setAttribute("a", "1").setAttribute("b", 2L)
                    .setAttribute("c", true).startSpan();
            String shown = tree.status().toString();
            span.end();
            assertTrue(shown.contains("work ("), shown);
            assertEquals(1, List.of("a=1", "b=2", "c=true").stream().filter(a -> !shown.contains(a)).count(),
                    "two of the three attributes:\n" + shown);
            assertTrue(shown.contains("traced"), shown);
        }
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> new CanopySpanProcessor(tree).withMaxAttributes(65));
        assertTrue(tooMany.getMessage().contains("65"), tooMany.getMessage());
    }

    @Test
    void valuesOfSecretLikeAttributesAreRemovedFromFailureMessages() {
        Span span = tracer.spanBuilder("db.query").setAttribute("db.password", "hunter2!")
                .setAttribute(io.opentelemetry.api.common.AttributeKey.stringArrayKey("http.request.header.cookie"),
                        List.of("id=c00kie-1", "pref=dark"))
                .startSpan();
        try {
            Context context = tree.root().children().stream().flatMap(c -> c.children().stream())
                    .filter(c -> c.name().equals("db_query")).findFirst().orElseThrow();
            assertEquals("login <redacted> refused, cookie <redacted>, db.rows=3", context.withoutSecrets(
                    "login hunter2! refused, cookie id=c00kie-1, db.rows=3"));
        } finally {
            span.end();
        }
    }

    @Test
    void attributesSetWhileTheSpanRunsShowAndSecretLikeOnesNever() {
        Span span = tracer.spanBuilder("db.query").setAttribute("db.system", "postgresql").startSpan();
        String before = tree.status().toString();
        span.setAttribute("db.rows", 42L);
        span.setAttribute("db.password", "hunter2");
        String after = tree.status().toString();
        span.end();
        assertTrue(before.contains("db_query") && before.contains("span.name=db.query"), before);
        assertTrue(before.contains("db.system=postgresql") && !before.contains("db.rows"), before);
        assertTrue(after.contains("db.rows=42") && after.contains("trace.id="), after);
        assertFalse(after.contains("hunter2"), after);
    }

    @Test
    void aSpanThatEndedBeforeItsChildrenIsLetGoAndItsContextKeepsItsData() throws Exception {
        try (SdkTracerProvider p = SdkTracerProvider.builder().addSpanProcessor(processor).build()) {
            Span span = p.get("t").spanBuilder("batch.run").setAttribute("batch.size", 500L).startSpan();
            Context context = tree.root().children().stream().flatMap(c -> c.children().stream())
                    .filter(c -> c.name().equals("batch_run")).findFirst().orElseThrow();
            Context child = context.child("still-running").open();
            WeakReference<Span> gone = new WeakReference<>(span);
            span.end();
            span = null;
            TestTrees.awaitTrue("the ended span is not kept reachable through its context", () -> {
                System.gc();
                return gone.get() == null;
            });
            assertFalse(context.isEnded(), "the context waits for its child");
            Map<String, String> data = context.dataJson();
            assertEquals("\"batch.run\"", data.get(CanopySpanProcessor.NAME_KEY), data.toString());
            assertEquals("500", data.get("batch.size"), data.toString());
            assertTrue(data.containsKey(CanopySpanProcessor.TRACE_ID_KEY), data.toString());
            child.close();
            assertTrue(context.isEnded());
        }
    }

    @Test
    void spansOfAClosedTreeNeverBreakTheTracedCode() {
        ContextTree closed = ContextTree.builder().rootName("gone").build();
        try (SdkTracerProvider p = SdkTracerProvider.builder().addSpanProcessor(new CanopySpanProcessor(closed)).build()) {
            closed.close();
            Span span = p.get("t").spanBuilder("after-close").startSpan();
            span.end();
            assertFalse(span.isRecording());
        }
    }

    @Test
    void theCurrentContextIsNotTheDefaultTreesRoot() {
        // a span under no Canopy context at all goes under the configured root, not the default tree's global
        Span span = tracer.spanBuilder("orphan").startSpan();
        assertEquals(1, tree.findByPath("test.spans.orphan").size());
        assertNotSame(Canopy.global(), only("test.spans").parent().orElseThrow());
        span.end();
    }

    @Test
    void theDefaultProcessorFollowsTheCurrentContextIntoAnotherTreeAndATreeBoundOneDoesNot() {
        try (SdkTracerProvider following = SdkTracerProvider.builder().addSpanProcessor(new CanopySpanProcessor())
                .build()) {
            Tracer followingTracer = following.get("canopy-test");
            Context work = tree.root().child("work").open();
            try (dev.canopy.Scope s = work.makeCurrent()) {
                Span inside = followingTracer.spanBuilder("inside").startSpan();
                Span bound = tracer.spanBuilder("bound").startSpan();
                assertEquals(1, tree.findByPath("test.work.inside").size(), "the default processor follows:\n"
                        + tree.status());
                assertEquals(java.util.List.of(), dev.canopy.Canopy.tree().findByPath("global.spans.inside"));
                assertEquals(1, tree.findByPath("test.work.bound").size());
                inside.end();
                bound.end();
            } finally {
                work.close();
            }
            ContextTree other = ContextTree.builder().rootName("other").build();
            try (dev.canopy.Scope s = other.root().makeCurrent()) {
                Span bound = tracer.spanBuilder("bound").startSpan();
                Span inside = followingTracer.spanBuilder("inside").startSpan();
                assertEquals(1, tree.findByPath("test.spans.bound").size(), "a processor made for a tree keeps to it");
                assertEquals(1, other.findByPath("other.inside").size(), "another tree's current root is a parent");
                bound.end();
                inside.end();
            } finally {
                other.close();
            }
        }
    }
}
