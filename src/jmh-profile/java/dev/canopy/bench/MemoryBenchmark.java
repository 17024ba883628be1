package dev.canopy.bench;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jol.info.GraphLayout;

/**
 * The heap a live context keeps (goal: at most 250 bytes): the graph of a parent and a list holding its children,
 * walked by JOL, with and without 10,000 open children, divided by 10,000. It counts the context, its weak link and
 * node in the parent's child map and its share of the map's table. (The tree holds open contexts weakly, so the
 * list is what keeps them, as the application's own references do; its array exists before the first walk.)
 */
@BenchmarkMode(Mode.SingleShotTime)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
// JOL needs its agent: attach to self (and, on JDK 21+, say dynamic agent loading is wanted)
// (and the walk reaches a thread through the tree's count cells, whose hidden-class lambdas need the magic offsets)
@Fork(value = 1, jvmArgsAppend = {"-Djdk.attach.allowAttachSelf=true", "-XX:+IgnoreUnrecognizedVMOptions",
        "-XX:+EnableDynamicAgentLoading", "-Djol.magicFieldOffset=true"})
public class MemoryBenchmark {

    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Retained {
        public double bytesPerLiveContext;

        @Setup(Level.Iteration)
        public void clear() {
            bytesPerLiveContext = 0;
        }
    }

    @Benchmark
    public int memoryPerLiveContext(Retained out) {
        int n = 10_000;
        try (ContextTree tree = ContextTree.builder().rootName("mem").build()) {
            Context parent = tree.root().child("parent").open();
            java.util.List<Context> kept = new java.util.ArrayList<>(n + 1);
            kept.add(parent.child("first").open()); // the child set exists before the measurement starts
            for (int i = 0; i < 200; i++) {
                // and this thread's count cell, which it gets after 64: JOL's walk follows the cell's weak reference
                // to the thread, so the thread's objects are in both walks rather than only in the second
                parent.child("warm-up").open().close();
            }
            long before = GraphLayout.parseInstance(parent, kept).totalSize();
            for (int i = 0; i < n; i++) {
                kept.add(parent.child("request").open());
            }
            long after = GraphLayout.parseInstance(parent, kept).totalSize();
            out.bytesPerLiveContext = (double) (after - before) / n;
            return kept.size();
        }
    }
}
