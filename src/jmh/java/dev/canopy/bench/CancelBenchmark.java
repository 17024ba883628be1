package dev.canopy.bench;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Cancelling a whole subtree against setting a volatile flag on every node of an equal hand-built tree.
 * The trees are rebuilt before every invocation (not measured). Fan-out 10 per level.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class CancelBenchmark {
    @Param({"1000", "100000"})
    public int size;

    private ContextTree tree;
    private Context subtree;
    /** The tree holds open contexts weakly (leak detection): the benchmark keeps them, as an application would. */
    private final java.util.List<Context> open = new java.util.ArrayList<>();
    private ContextBenchmark.Node floorRoot;

    @Setup(Level.Invocation)
    public void build() {
        tree = ContextTree.builder().executor(Runnable::run).build();
        open.clear();
        subtree = tree.root().child("subtree").open();
        open.add(subtree);
        ArrayDeque<Context> queue = new ArrayDeque<>();
        queue.add(subtree);
        int made = 1;
        while (made < size) {
            Context p = queue.poll();
            for (int i = 0; i < 10 && made < size; i++, made++) {
                Context c = p.child("c").open();
                open.add(c);
                queue.add(c);
            }
        }
        floorRoot = new ContextBenchmark.Node(null);
        ArrayDeque<ContextBenchmark.Node> nodes = new ArrayDeque<>();
        nodes.add(floorRoot);
        made = 1;
        while (made < size) {
            ContextBenchmark.Node p = nodes.poll();
            for (int i = 0; i < 10 && made < size; i++, made++) {
                ContextBenchmark.Node n = new ContextBenchmark.Node(p);
                p.children.add(n);
                nodes.add(n);
            }
        }
    }

    @TearDown(Level.Invocation)
    public void drop() {
        tree.close();
    }

    @Benchmark
    public ContextBenchmark.Node baselineVolatileFlagWalk() {
        ArrayDeque<ContextBenchmark.Node> pending = new ArrayDeque<>();
        pending.push(floorRoot);
        while (!pending.isEmpty()) {
            ContextBenchmark.Node n = pending.pop();
            n.cancelled = true;
            for (ContextBenchmark.Node c : n.children) {
                pending.push(c);
            }
        }
        return floorRoot;
    }

    @Benchmark
    public Context cancelSubtree() {
        subtree.cancel("benchmark");
        return subtree;
    }
}
