package dev.canopy.bench;

import dev.canopy.jmx.JmxExporter;

import dev.canopy.jmx.JmxPolicy;

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

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Child open()+close() against its hand-written floor, with the JMX policy the library ships (LONG_LIVED) and with
 * none. JFR is never started in this fork. Run: {@code mvn -Pjmh test-compile exec:exec -Dbench=ContextBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ContextBenchmark {
    private ContextTree defaultPolicy;
    private ContextTree noJmx;
    private Context parent;
    private Context parentNoJmx;
    private final Node floorParent = new Node(null);

    /** The floor: a node object linked into and out of its parent's concurrent child set. */
    public static final class Node {
        final Node parent;
        final Set<Node> children = ConcurrentHashMap.newKeySet();
        volatile boolean cancelled;

        public Node(Node parent) {
            this.parent = parent;
        }
    }

    @Setup
    public void setUp() {
        defaultPolicy = ContextTree.builder().rootName("bench").listener(JmxExporter.create(JmxPolicy.defaults().withDomain("dev.canopy.bench")))
                .executor(Runnable::run).build();
        noJmx = ContextTree.builder().rootName("bench").listener(JmxExporter.create(JmxPolicy.defaults().withDomain("dev.canopy.bench2")
                .withMode(JmxPolicy.Mode.NONE))).executor(Runnable::run).build();
        parent = defaultPolicy.root().child("service").open();
        parentNoJmx = noJmx.root().child("service").open();
    }

    @TearDown
    public void tearDown() {
        defaultPolicy.close();
        noJmx.close();
    }

    @Benchmark
    public Node baselineNodeLinkUnlink() {
        Node n = new Node(floorParent);
        floorParent.children.add(n);
        floorParent.children.remove(n);
        return n;
    }

    /** The floor plus the two clock reads any lifetime measurement needs (created, ended). */
    @Benchmark
    public Node baselineNodeLinkUnlinkTimed() {
        Node n = new Node(floorParent);
        floorParent.children.add(n);
        long created = System.nanoTime();
        n.cancelled = System.nanoTime() - created < 0;
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
    public Context childOpenCloseJmxNone() {
        Context c = parentNoJmx.child("request").open();
        c.close();
        return c;
    }
}
