package dev.canopy.bench.peers;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.Registration;
import dev.canopy.otel.CanopyTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What exporting contexts as spans ({@link CanopyTracing#export}) adds to a child {@code open()+close()}. Goal: an
 * exported child costs at most a bare span's start and end more than an unexported one, plus one child
 * {@code open()+close()} for the rest (its {@code traceparent} data, the parent link, the end's data copy), i.e.
 * {@code exported - canopyChild <= bareSpan + canopyChild}, all measured in the same run; and a tree whose export
 * was closed costs what a tree that never exported does ({@code afterExportClosed ~ canopyChild}).
 * Each is measured under a parent (a span, or an exported context), as requests run inside a traced service. The
 * SDKs sample everything and hand ended spans to a processor that does nothing, so the SDK's own work is in both
 * the export and the bare span, and no exporter's.
 * <pre>
 * mvn -Pjmh test-compile exec:exec -Dbench=ExportBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class ExportBenchmark {
    private ContextTree plainTree;
    private Context plainParent;

    private ContextTree exportedTree;
    private OpenTelemetrySdk exportSdk;
    private Registration export;
    private Context exportedParent;

    private ContextTree formerlyExportedTree;
    private OpenTelemetrySdk formerSdk;
    private Context formerlyExportedParent;

    private SdkTracerProvider bareProvider;
    private Tracer bareTracer;
    private Span bareParentSpan;
    private io.opentelemetry.context.Context bareParentOtel;

    @Setup
    public void setUp() {
        plainTree = ContextTree.builder().rootName("bench").executor(Runnable::run).build();
        plainParent = plainTree.root().child("request").open();

        exportedTree = ContextTree.builder().rootName("bench").executor(Runnable::run).build();
        exportSdk = sdk();
        export = CanopyTracing.export(exportedTree, exportSdk);
        exportedParent = exportedTree.root().child("request").open(); // a span: its children are its child spans

        formerlyExportedTree = ContextTree.builder().rootName("bench").executor(Runnable::run).build();
        formerSdk = sdk();
        CanopyTracing.export(formerlyExportedTree, formerSdk).close();
        formerlyExportedParent = formerlyExportedTree.root().child("request").open();

        bareProvider = provider();
        bareTracer = bareProvider.get("bench");
        bareParentSpan = bareTracer.spanBuilder("request").startSpan();
        bareParentOtel = io.opentelemetry.context.Context.root().with(bareParentSpan);
    }

    private static SdkTracerProvider provider() {
        return SdkTracerProvider.builder().addSpanProcessor(new DoNothingProcessor()).build();
    }

    private static OpenTelemetrySdk sdk() {
        return OpenTelemetrySdk.builder().setTracerProvider(provider()).build();
    }

    @TearDown
    public void tearDown() {
        bareParentSpan.end();
        bareProvider.close();
        exportedParent.close();
        export.close();
        exportSdk.close();
        formerlyExportedParent.close();
        formerSdk.close();
        plainParent.close();
        exportedTree.close();
        formerlyExportedTree.close();
        plainTree.close();
    }

    /** The baseline: a child of a tree that does not export. */
    @Benchmark
    public Context canopyChildOpenClose() {
        Context c = plainParent.child("db-query").open();
        c.close();
        return c;
    }

    /** The same child, exported as a span: a child span of its parent context's span. */
    @Benchmark
    public Context exportedChildOpenClose() {
        Context c = exportedParent.child("db-query").open();
        c.close();
        return c;
    }

    /** The same child in a tree whose export was closed: nothing should remain of its cost. */
    @Benchmark
    public Context afterExportClosedChildOpenClose() {
        Context c = formerlyExportedParent.child("db-query").open();
        c.close();
        return c;
    }

    /** The baseline of a scope: a context made current and the scope closed, in a tree that does not export. */
    @Benchmark
    public void canopyScope() {
        try (dev.canopy.Scope s = plainParent.makeCurrent()) {
            // nothing: the scope is what is measured
        }
    }

    /** The same scope while exporting: the context's span is made current in OpenTelemetry's context too. */
    @Benchmark
    public void exportedScope() {
        try (dev.canopy.Scope s = exportedParent.makeCurrent()) {
            // nothing: the scope is what is measured
        }
    }

    /** A span made current and the scope closed, without Canopy: what the export adds to a scope, at least. */
    @Benchmark
    public void bareSpanMakeCurrent() {
        try (io.opentelemetry.context.Scope s = bareParentSpan.makeCurrent()) {
            // nothing: the scope is what is measured
        }
    }

    /** A span started and ended under a parent span with the same SDK set-up, without Canopy. */
    @Benchmark
    public Span bareSpanStartEnd() {
        Span s = bareTracer.spanBuilder("db-query").setParent(bareParentOtel).startSpan();
        s.end();
        return s;
    }
}
