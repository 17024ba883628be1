package dev.canopy.bench.peers;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.micrometer.CanopyObservationHandler;
import dev.canopy.otel.CanopySpanProcessor;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
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
 * What a bridge adds to a Micrometer observation or an OpenTelemetry span. Goal: a bridged observation (span) costs
 * at most one Canopy child {@code open()+close()} more than the same observation (span) with a handler (processor)
 * that does nothing, i.e. {@code bridged - bare <= canopyChildOpenClose}, all three measured in the same run.
 * Each is measured under a parent (observation, span, context), as requests run inside a service.
 * <pre>
 * mvn -Pjmh test-compile exec:exec -Dbench=BridgeBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class BridgeBenchmark {
    private ContextTree tree;
    private Context parent;

    private ObservationRegistry bareObservations;
    private ObservationRegistry bridgedObservations;
    private Observation bareParentObservation;
    private Observation bridgedParentObservation;

    private SdkTracerProvider bareProvider;
    private SdkTracerProvider bridgedProvider;
    private Tracer bareTracer;
    private Tracer bridgedTracer;
    private Span bareParentSpan;
    private Span bridgedParentSpan;
    private io.opentelemetry.context.Context bareParentOtel;
    private io.opentelemetry.context.Context bridgedParentOtel;

    @Setup
    public void setUp() {
        tree = ContextTree.builder().rootName("bench").executor(Runnable::run).build();
        parent = tree.root().child("service").open();

        bareObservations = ObservationRegistry.create();
        bareObservations.observationConfig().observationHandler(new DoNothingHandler());
        bridgedObservations = ObservationRegistry.create();
        bridgedObservations.observationConfig().observationHandler(new CanopyObservationHandler(tree));
        bareParentObservation = Observation.start("service", bareObservations);
        bridgedParentObservation = Observation.start("service", bridgedObservations);

        bareProvider = SdkTracerProvider.builder().addSpanProcessor(new DoNothingProcessor()).build();
        bridgedProvider = SdkTracerProvider.builder().addSpanProcessor(new CanopySpanProcessor(tree)).build();
        bareTracer = bareProvider.get("bench");
        bridgedTracer = bridgedProvider.get("bench");
        bareParentSpan = bareTracer.spanBuilder("service").startSpan();
        bridgedParentSpan = bridgedTracer.spanBuilder("service").startSpan();
        bareParentOtel = io.opentelemetry.context.Context.root().with(bareParentSpan);
        bridgedParentOtel = io.opentelemetry.context.Context.root().with(bridgedParentSpan);
    }

    @TearDown
    public void tearDown() {
        bareParentObservation.stop();
        bridgedParentObservation.stop();
        bareParentSpan.end();
        bridgedParentSpan.end();
        bareProvider.close();
        bridgedProvider.close();
        parent.close();
        tree.close();
    }

    /** The allowance: what a bridge may add. */
    @Benchmark
    public Context canopyChildOpenClose() {
        Context c = parent.child("request").open();
        c.close();
        return c;
    }

    @Benchmark
    public Observation bareObservationStartStop() {
        Observation o = Observation.createNotStarted("http.server.requests", bareObservations)
                .parentObservation(bareParentObservation)
                .lowCardinalityKeyValue("method", "GET")
                .start();
        o.stop();
        return o;
    }

    @Benchmark
    public Observation bridgedObservationStartStop() {
        Observation o = Observation.createNotStarted("http.server.requests", bridgedObservations)
                .parentObservation(bridgedParentObservation)
                .lowCardinalityKeyValue("method", "GET")
                .start();
        o.stop();
        return o;
    }

    @Benchmark
    public Span bareSpanStartEnd() {
        Span s = bareTracer.spanBuilder("GET").setSpanKind(SpanKind.CLIENT).setParent(bareParentOtel)
                .setAttribute("http.request.method", "GET").startSpan();
        s.end();
        return s;
    }

    @Benchmark
    public Span bridgedSpanStartEnd() {
        Span s = bridgedTracer.spanBuilder("GET").setSpanKind(SpanKind.CLIENT).setParent(bridgedParentOtel)
                .setAttribute("http.request.method", "GET").startSpan();
        s.end();
        return s;
    }

    /** The bare handler: called like any handler, does nothing. */
    static final class DoNothingHandler implements ObservationHandler<Observation.Context> {
        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }
}
