package dev.canopy.bench.peers;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.micrometer.CanopyObservationHandler;
import dev.canopy.otel.CanopySpanProcessor;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.ObservationView;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
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

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What a bridge adds to a Micrometer observation or an OpenTelemetry span. Goal: a bridged observation (span) costs
 * at most one Canopy child {@code open()+close()} more than the same observation (span) with a handler (processor)
 * that does nothing, i.e. {@code bridged - bare <= canopyChildOpenClose}, all three measured in the same run.
 * Each is measured under a parent (observation, span, context), as requests run inside a service.
 *
 * <p>The "state only" rows explain why that goal cannot be met: a handler (processor) that opens no context and
 * only keeps one reference per observation (span) where the API lets it, and finds its parent's, as any bridge
 * must: in the observation's own map, or for a span in a map keyed by the span (a span has no slot). What that
 * costs beyond the bare row comes on top of the child.
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
    private ObservationRegistry stateOnlyObservations;
    private Observation stateOnlyParentObservation;
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
    private SdkTracerProvider stateOnlyProvider;
    private Tracer stateOnlyTracer;
    private Span stateOnlyParentSpan;
    private io.opentelemetry.context.Context stateOnlyParentOtel;

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
        stateOnlyObservations = ObservationRegistry.create();
        stateOnlyObservations.observationConfig().observationHandler(new StateOnlyHandler());
        stateOnlyParentObservation = Observation.start("service", stateOnlyObservations);

        bareProvider = SdkTracerProvider.builder().addSpanProcessor(new DoNothingProcessor()).build();
        bridgedProvider = SdkTracerProvider.builder().addSpanProcessor(new CanopySpanProcessor(tree)).build();
        bareTracer = bareProvider.get("bench");
        bridgedTracer = bridgedProvider.get("bench");
        bareParentSpan = bareTracer.spanBuilder("service").startSpan();
        bridgedParentSpan = bridgedTracer.spanBuilder("service").startSpan();
        bareParentOtel = io.opentelemetry.context.Context.root().with(bareParentSpan);
        bridgedParentOtel = io.opentelemetry.context.Context.root().with(bridgedParentSpan);
        stateOnlyProvider = SdkTracerProvider.builder().addSpanProcessor(new StateOnlyProcessor()).build();
        stateOnlyTracer = stateOnlyProvider.get("bench");
        stateOnlyParentSpan = stateOnlyTracer.spanBuilder("service").startSpan();
        stateOnlyParentOtel = io.opentelemetry.context.Context.root().with(stateOnlyParentSpan);
    }

    @TearDown
    public void tearDown() {
        bareParentObservation.stop();
        bridgedParentObservation.stop();
        bareParentSpan.end();
        bridgedParentSpan.end();
        stateOnlyParentObservation.stop();
        stateOnlyParentSpan.end();
        bareProvider.close();
        bridgedProvider.close();
        stateOnlyProvider.close();
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
    public Observation stateOnlyObservationStartStop() {
        Observation o = Observation.createNotStarted("http.server.requests", stateOnlyObservations)
                .parentObservation(stateOnlyParentObservation)
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

    @Benchmark
    public Span stateOnlySpanStartEnd() {
        Span s = stateOnlyTracer.spanBuilder("GET").setSpanKind(SpanKind.CLIENT).setParent(stateOnlyParentOtel)
                .setAttribute("http.request.method", "GET").startSpan();
        s.end();
        return s;
    }

    /** Stands for a bridge's per-observation (per-span) state: the context the child open would give. */
    private static final Object STATE = new Object();

    /** The least a stateful handler does: finds its parent's state, keeps its own, reads it back at the stop. */
    static final class StateOnlyHandler implements ObservationHandler<Observation.Context> {
        private final Object key = new Object();

        @Override
        public void onStart(Observation.Context context) {
            ObservationView parent = context.getParentObservation();
            Object parentState = parent == null ? null : parent.getContextView().get(key);
            context.put(key, parentState == null ? STATE : parentState);
        }

        @Override
        public void onStop(Observation.Context context) {
            if (context.get(key) == null) {
                throw new IllegalStateException("no state");
            }
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }

    /**
     * The least a stateful processor does: finds its parent span's state, keeps its own by span, drops it at the
     * end. Keyed by span identity but hashed by span id, as {@code CanopySpanProcessor} does: an identity hash of a
     * new span is a call into the VM that costs more than the map.
     */
    static final class StateOnlyProcessor implements SpanProcessor {
        private final ConcurrentHashMap<SpanKey, Object> live = new ConcurrentHashMap<>();

        @Override
        public void onStart(io.opentelemetry.context.Context parentContext, ReadWriteSpan span) {
            Span parent = Span.fromContextOrNull(parentContext);
            Object parentState = parent == null ? null : live.get(new SpanKey(parent, parent.getSpanContext()));
            live.put(new SpanKey(span, span.getSpanContext()), parentState == null ? STATE : parentState);
        }

        @Override
        public boolean isStartRequired() {
            return true;
        }

        @Override
        public void onEnd(ReadableSpan span) {
            if (live.remove(new SpanKey(span, span.getSpanContext())) == null) {
                throw new IllegalStateException("no state");
            }
        }

        @Override
        public boolean isEndRequired() {
            return true;
        }
    }

    static final class SpanKey {
        final Object span;
        final int hash;

        SpanKey(Object span, io.opentelemetry.api.trace.SpanContext spanContext) {
            this.span = span;
            this.hash = spanContext.getSpanId().hashCode();
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SpanKey k && k.span == span;
        }
    }

    /** The bare handler: called like any handler, does nothing. */
    static final class DoNothingHandler implements ObservationHandler<Observation.Context> {
        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }
}
