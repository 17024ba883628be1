package dev.canopy.bench;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counter increments from 1 and 8 threads against a bare LongAdder. With 8 threads each thread is its own context
 * at the same path (sessions counting into one key), as live counts belong to the context that holds them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class CounterBenchmark {
    private ContextTree tree;
    private Context ctx;
    private final LongAdder adder = new LongAdder();

    @Setup
    public void setUp() {
        tree = ContextTree.builder().rootName("bench").build();
        ctx = tree.root().child("svc").open();
    }

    @TearDown
    public void tearDown() {
        tree.close();
    }

    @Benchmark
    public void baselineLongAdder() {
        adder.increment();
    }

    @Benchmark
    public void incrementTotal() {
        ctx.incrementTotal("requests");
    }

    /** A live increment must be given back, or the count grows without bound: the pair is one use. */
    @Benchmark
    public void baselineLongAdderPair() {
        adder.increment();
        adder.decrement();
    }

    @Benchmark
    public void incrementDecrementLive() {
        ctx.incrementLive("connections");
        ctx.decrementLive("connections");
    }

    /** One context per benchmark thread, all with the path {@code bench.svc.session}. */
    @State(Scope.Thread)
    public static class Session {
        Context ctx;

        @Setup
        public void open(CounterBenchmark b) {
            ctx = b.ctx.child("session").open();
        }
    }

    @Benchmark
    @Threads(8)
    public void baselineLongAdder8() {
        adder.increment();
    }

    @Benchmark
    @Threads(8)
    public void incrementTotal8(Session session) {
        session.ctx.incrementTotal("requests");
    }

    @Benchmark
    @Threads(8)
    public void baselineLongAdderPair8() {
        adder.increment();
        adder.decrement();
    }

    @Benchmark
    @Threads(8)
    public void incrementDecrementLive8(Session session) {
        session.ctx.incrementLive("connections");
        session.ctx.decrementLive("connections");
    }
}
