package dev.canopy.bench;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import jdk.jfr.Event;
import jdk.jfr.Name;
import jdk.jfr.Recording;
import jdk.jfr.StackTrace;
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
 * Child open()+close() while a recording with canopy.jfc runs, against bare JFR events carrying the same fields
 * (one start event, one end event with begin/commit), recorded by the same recording.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class JfrRecordingBenchmark {
    private ContextTree tree;
    private Context parent;
    private Recording recording;
    private long ids;

    @Name("bench.BareStart")
    @StackTrace(false)
    static final class BareStart extends Event {
        long contextId;
        long parentId;
        String name;
        String path;
        boolean existing;
    }

    @Name("bench.BareEnd")
    @StackTrace(false)
    static final class BareEnd extends Event {
        long contextId;
        long parentId;
        String name;
        String path;
        String outcome;
        String message;
        String exceptionClass;
        long lifetime;
    }

    @Setup
    public void setUp() {
        tree = ContextTree.builder().rootName("bench").executor(Runnable::run).build();
        recording = new Recording(dev.canopy.jfr.JfrTemplates.canopyConfiguration());
        recording.enable(BareStart.class);
        recording.enable(BareEnd.class);
        recording.setMaxSize(64L << 20); // a ring in the disk repository; the benchmark emits millions
        recording.start();
        parent = tree.root().child("service").open();
    }

    @TearDown
    public void tearDown() {
        recording.stop();
        recording.close();
        tree.close();
    }

    @Benchmark
    public BareEnd baselineBareEvents() {
        long id = ++ids;
        BareStart s = new BareStart();
        if (s.shouldCommit()) {
            s.contextId = id;
            s.parentId = 1;
            s.name = "request";
            s.path = "bench.service.request";
            s.commit();
        }
        BareEnd e = new BareEnd();
        e.begin();
        e.end();
        if (e.shouldCommit()) {
            e.contextId = id;
            e.parentId = 1;
            e.name = "request";
            e.path = "bench.service.request";
            e.outcome = "completed";
            e.lifetime = 1;
            e.commit();
        }
        return e;
    }

    @Benchmark
    public Context childOpenCloseRecording() {
        Context c = parent.child("request").open();
        c.close();
        return c;
    }
}
