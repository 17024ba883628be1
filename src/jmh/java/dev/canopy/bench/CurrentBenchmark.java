package dev.canopy.bench;

import dev.canopy.Canopy;
import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.Scope;
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

/** Canopy.current() and a makeCurrent() scope against a bare ThreadLocal get and set+restore. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class CurrentBenchmark {
    private static final ThreadLocal<Object> LOCAL = new ThreadLocal<>();
    private ContextTree tree;
    private Context ctx;
    private final Object value = new Object();

    @Setup
    public void setUp() {
        tree = ContextTree.builder().rootName("bench").build();
        ctx = tree.root().child("svc").open();
        LOCAL.set(value);
        ctx.makeCurrent(); // current() then finds a context, as inside a task
    }

    @TearDown
    public void tearDown() {
        tree.close();
    }

    @Benchmark
    public Object baselineThreadLocalGet() {
        return LOCAL.get();
    }

    @Benchmark
    public Context current() {
        return Canopy.current();
    }

    @Benchmark
    public Object baselineThreadLocalSetRestore() {
        Object previous = LOCAL.get();
        LOCAL.set(value);
        try {
            return LOCAL.get();
        } finally {
            LOCAL.set(previous);
        }
    }

    @Benchmark
    public Context makeCurrentScope() {
        try (Scope s = ctx.makeCurrent()) {
            return Canopy.current();
        }
    }
}
