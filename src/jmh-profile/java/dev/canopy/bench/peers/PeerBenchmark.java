package dev.canopy.bench.peers;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.trace.Span;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Canopy's child open()+close() beside what peers do for a unit of work: an OpenTelemetry SDK span started and
 * ended under a parent (a span processor that does nothing), and a Micrometer Observation started and stopped with
 * a meter handler. Only in the jmh profile: the peers are never dependencies of the library.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class PeerBenchmark {
    private ContextTree tree;
    private Context parent;
    private SdkTracerProvider provider;
    private Tracer tracer;
    private Span parentSpan;
    private io.opentelemetry.context.Context parentOtel;
    private ObservationRegistry observations;

    @Setup
    public void setUp() {
        tree = ContextTree.builder().rootName("bench").executor(Runnable::run).build();
        parent = tree.root().child("service").open();
        provider = SdkTracerProvider.builder().addSpanProcessor(new SpanProcessor() {
            @Override
            public void onStart(io.opentelemetry.context.Context ctx, ReadWriteSpan span) {
            }

            @Override
            public boolean isStartRequired() {
                return false;
            }

            @Override
            public void onEnd(ReadableSpan span) {
            }

            @Override
            public boolean isEndRequired() {
                return false;
            }
        }).build();
        tracer = provider.get("bench");
        parentSpan = tracer.spanBuilder("service").startSpan();
        parentOtel = io.opentelemetry.context.Context.root().with(parentSpan);
        observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(new SimpleMeterRegistry()));
    }

    @TearDown
    public void tearDown() {
        parentSpan.end();
        provider.close();
        tree.close();
    }

    @Benchmark
    public Context canopyChildOpenClose() {
        Context c = parent.child("request").open();
        c.close();
        return c;
    }

    /** Two threads open children of ONE shared parent: how a service's worker threads use it. */
    @Benchmark
    @Threads(2)
    public Context canopyChildOpenClose2() {
        return canopyChildOpenClose();
    }

    @Benchmark
    @Threads(8)
    public Context canopyChildOpenClose8() {
        return canopyChildOpenClose();
    }

    @Benchmark
    public Span otelSpanStartEnd() {
        Span s = tracer.spanBuilder("request").setParent(parentOtel).startSpan();
        s.end();
        return s;
    }

    @Benchmark
    @Threads(2)
    public Span otelSpanStartEnd2() {
        return otelSpanStartEnd();
    }

    @Benchmark
    @Threads(8)
    public Span otelSpanStartEnd8() {
        return otelSpanStartEnd();
    }

    @Benchmark
    public Observation micrometerObservationStartStop() {
        Observation o = Observation.start("request", observations);
        o.stop();
        return o;
    }
}
