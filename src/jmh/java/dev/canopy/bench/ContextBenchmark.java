package dev.canopy.bench;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.Task;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * The tree's hot paths against hand-written floors in the same run: child open+close, spawnChild+join on a
 * caller-runs executor. Run: {@code mvn -Pjmh test-compile exec:exec} (see BENCHMARKS.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ContextBenchmark {
    private ContextTree tree;
    private Context parent;
    private final Node floorParent = new Node(null);
    private final Callable<Integer> trivial = () -> 42;

    /** The floor: a node object linked into and out of a parent's concurrent child set. */
    static final class Node {
        final Node parent;
        final Set<Node> children = ConcurrentHashMap.newKeySet();
        volatile boolean cancelled;

        Node(Node parent) {
            this.parent = parent;
        }
    }

    @Setup
    public void setUp() {
        tree = ContextTree.builder().executor(Runnable::run).build();
        parent = tree.root().child("service").open();
    }

    @TearDown
    public void tearDown() {
        tree.close();
    }

    @Benchmark
    public Node baselineNodeLinkUnlink() {
        Node n = new Node(floorParent);
        floorParent.children.add(n);
        floorParent.children.remove(n);
        return n;
    }

    @Benchmark
    public Context childOpenClose() {
        Context c = parent.child("request").open();
        c.close();
        return c;
    }

    @Benchmark
    public Integer baselineFutureTaskRunGet() throws ExecutionException, InterruptedException {
        FutureTask<Integer> t = new FutureTask<>(trivial);
        t.run();
        return t.get();
    }

    @Benchmark
    public Integer spawnChildJoinCallerRuns() {
        Task<Integer> t = parent.spawnChild("task", ctx -> 42);
        return t.join();
    }
}
