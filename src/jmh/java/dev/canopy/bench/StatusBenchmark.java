package dev.canopy.bench;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.Status;
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

    @Setup
    public void setUp() {
        tree = ContextTree.builder().rootName("bench").build();
        Context svc = tree.root().child("http-proxy").open();
        for (int s = 0; s < 100; s++) {
            Context session = svc.child("session").withData("peer", "p" + s).open();
            for (int r = 0; r < 99; r++) {
                session.child("request").open();
            }
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
