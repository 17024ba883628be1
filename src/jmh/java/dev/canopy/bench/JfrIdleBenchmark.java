package dev.canopy.bench;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import jdk.jfr.Recording;
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

/**
 * Child open()+close() after a JFR recording was started and stopped: JFR initialised, Canopy's events registered,
 * nothing recording. Compared with {@link ContextBenchmark#childOpenClose()} (a fork that never touched JFR).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class JfrIdleBenchmark {
    private ContextTree tree;
    private Context parent;

    @Setup
    public void setUp() {
        tree = ContextTree.builder().rootName("bench").executor(Runnable::run).build();
        try (Recording r = new Recording(dev.canopy.jfr.JfrTemplates.canopyConfiguration())) {
            r.start();
            tree.root().child("warm").open().close();
            r.stop();
        }
        parent = tree.root().child("service").open();
    }

    @TearDown
    public void tearDown() {
        tree.close();
    }

    @Benchmark
    public Context childOpenCloseAfterJfr() {
        Context c = parent.child("request").open();
        c.close();
        return c;
    }
}
