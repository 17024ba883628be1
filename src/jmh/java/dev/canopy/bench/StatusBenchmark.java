package dev.canopy.bench;

import dev.canopy.status.Status;

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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** Canopy.status() over 10,000 live contexts (an absolute goal: under 20 ms). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class StatusBenchmark {
    private ContextTree tree;
    /** The tree holds open contexts weakly (leak detection): the benchmark keeps them, as an application would. */
    private final java.util.List<Context> open = new java.util.ArrayList<>();

    @Setup
    public void setUp() {
        tree = ContextTree.builder().rootName("bench").build();
        Context svc = tree.root().child("http-proxy").open();
        open.add(svc);
        for (int s = 0; s < 100; s++) {
            Context session = svc.child("session").withData("peer", "p" + s).open();
            open.add(session);
            for (int r = 0; r < 99; r++) {
                open.add(session.child("request").open());
            }
        }
        if (tree.statistics().live() != 10_002) {
            throw new IllegalStateException("expected 10,002 live contexts, found " + tree.statistics().live());
        }
    }

    @TearDown
    public void tearDown() {
        tree.close();
    }

    @Benchmark
    public Status status10k() {
        return tree.status();
    }
}
