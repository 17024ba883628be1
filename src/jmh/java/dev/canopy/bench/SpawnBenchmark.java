package dev.canopy.bench;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.Task;
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

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * spawnChild+join: on a caller-runs executor (Canopy's own cost) against FutureTask run+get, and on the default
 * executor (virtual threads on 21+, Canopy's daemon pool on 17) against submit().get() on an executor of the same kind.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class SpawnBenchmark {
    private ContextTree callerRuns;
    private ContextTree defaults;
    private Context parent;
    private Context defaultParent;
    private ExecutorService sameKind;
    private final Callable<Integer> trivial = () -> 42;

    @Setup
    public void setUp() throws Exception {
        callerRuns = ContextTree.builder().rootName("bench").executor(Runnable::run).build();
        defaults = ContextTree.builder().rootName("bench").build();
        parent = callerRuns.root().child("service").open();
        defaultParent = defaults.root().child("service").open();
        if (defaults.usesVirtualThreads()) {
            sameKind = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } else {
            sameKind = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                    new java.util.concurrent.SynchronousQueue<>(), r -> {
                        Thread t = new Thread(r);
                        t.setDaemon(true);
                        return t;
                    });
        }
    }

    @TearDown
    public void tearDown() {
        callerRuns.close();
        defaults.close();
        sameKind.shutdownNow();
    }

    @Benchmark
    public Integer baselineFutureTaskRunGet() throws ExecutionException, InterruptedException {
        FutureTask<Integer> t = new FutureTask<>(trivial);
        t.run();
        return t.get();
    }

    private final ContextBenchmark.Node floorParent = new ContextBenchmark.Node(null);

    /** The floor of "a child and a task": node link/unlink, two clock reads (start, end), FutureTask run+get. */
    @Benchmark
    public Integer baselineFutureTaskWithNode() throws ExecutionException, InterruptedException {
        ContextBenchmark.Node n = new ContextBenchmark.Node(floorParent);
        floorParent.children.add(n);
        long start = System.nanoTime();
        FutureTask<Integer> t = new FutureTask<>(trivial);
        t.run();
        Integer r = t.get();
        n.cancelled = System.nanoTime() - start < 0;
        floorParent.children.remove(n);
        return r;
    }

    @Benchmark
    public Integer spawnChildJoinCallerRuns() {
        Task<Integer> t = parent.spawnChild("task", ctx -> 42);
        return t.join();
    }

    @Benchmark
    public Integer baselineExecutorSubmitGet() throws ExecutionException, InterruptedException {
        return sameKind.submit(trivial).get();
    }

    @Benchmark
    public Integer spawnChildJoinDefaultExecutor() {
        return defaultParent.spawnChild("task", ctx -> 42).join();
    }
}
