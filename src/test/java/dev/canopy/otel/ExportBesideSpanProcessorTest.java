package dev.canopy.otel;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.Registration;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The export and the span processor on one SDK and one tree, as in a service that both shows its spans in Canopy
 * and sends its contexts to a collector: neither turns the other's work into more work.
 */
class ExportBesideSpanProcessorTest {
    private ContextTree tree;
    private CanopySpanProcessor processor;
    private InMemorySpanExporter exported;
    private OpenTelemetrySdk openTelemetry;
    private Registration export;

    @BeforeEach
    void setUp() {
        tree = ContextTree.builder().rootName("test").build();
        processor = new CanopySpanProcessor(tree);
        exported = InMemorySpanExporter.create();
        openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(processor)
                .addSpanProcessor(SimpleSpanProcessor.create(exported))
                .build()).build();
        export = CanopyTracing.export(tree, openTelemetry);
    }

    @AfterEach
    void tearDown() {
        export.close();
        openTelemetry.close();
        tree.close();
    }

    private List<String> names() {
        return exported.getFinishedSpanItems().stream().map(SpanData::getName).sorted().toList();
    }

    private SpanData span(String name) {
        return exported.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + names()));
    }

    @Test
    void theExportsSpansAreNotMirroredBackIntoContexts() {
        try (Context job = tree.root().child("job").open();
             Context step = job.child("step").open()) {
            assertEquals(0, processor.liveSpans(), "the processor left the export's spans alone");
            assertEquals(List.of("job"), tree.root().children().stream().map(Context::name).toList(),
                    "no mirror of job, and no parent for mirrors, appeared:\n" + tree.status());
            assertEquals(List.of("step"), job.children().stream().map(Context::name).toList());
        }
        assertEquals(List.of("job", "step"), names(), "one span per context");
    }

    @Test
    void aMirroredSpanIsNotExportedAgainAndContextsBelowItAreItsChildren() {
        Span get = openTelemetry.getTracer("http-client").spanBuilder("GET").setSpanKind(SpanKind.CLIENT).startSpan();
        List<Context> mirrors = tree.findByPath("test.spans.GET");
        assertEquals(1, mirrors.size(), () -> "the processor mirrors the application's span:\n" + tree.status());
        Context mirror = mirrors.get(0);
        try (Context parse = mirror.child("parse-response").open()) {
            assertEquals(CanopyTracing.traceparent(parse).orElseThrow().substring(3, 35), get.getSpanContext().getTraceId());
        } finally {
            get.end();
        }
        assertTrue(mirror.isEnded());

        assertEquals(List.of("GET", "parse-response"), names(),
                "the application's span once, the context under it; neither the mirror nor test.spans became spans");
        SpanData getSpan = span("GET");
        assertEquals("http-client", getSpan.getInstrumentationScopeInfo().getName());
        SpanData parse = span("parse-response");
        assertEquals(getSpan.getTraceId(), parse.getTraceId());
        assertEquals(getSpan.getSpanId(), parse.getParentSpanId());
        assertFalse(parse.getParentSpanContext().isRemote());
    }
}
