package dev.canopy.bench;

import dev.canopy.Canopy;
import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.Scope;
import dev.canopy.jfr.JfrTemplates;
import jdk.jfr.Recording;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * A {@code makeCurrent()} scope with and without the JFR listener's contextual scope event ({@code dev.canopy.ContextScope},
 * JDK 25 and later), in three JFR states:
 * <ul>
 *   <li>{@code never}: no recording ever started; the event type is not even built, a scope costs the listener call
 *   and a volatile read;</li>
 *   <li>{@code stopped}: a recording started and stopped, the type registered and disabled: the listener call and a
 *   disabled-check;</li>
 *   <li>{@code recording}: {@code canopy.jfc} records; its 10 ms threshold keeps these scopes out, so each one costs
 *   an event allocated, begun and ended, never committed.</li>
 * </ul>
 * {@code contextScope=false} is the same tree built with {@code -Dcanopy.jfr.contextScope=false}: the JFR listener
 * then overrides no scope method and the tree skips scope calls, as on JDK 17-24 (where both values measure that).
 * JMH runs each parameter combination in a fork of its own, so the JIT never sees the other variant.
 *
 * <pre>
 * JAVA_HOME=/path/to/jdk-25 mvn -Pjmh test-compile exec:exec -Dbench=ContextScopeBenchmark
 * </pre>
 * Compare {@code contextScope=true} with {@code false} within each {@code jfr} state; the bare-JDK floor of a scope
 * (a ThreadLocal set and restore) is {@link CurrentBenchmark#baselineThreadLocalSetRestore()}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class ContextScopeBenchmark {
    @Param({"true", "false"})
    public boolean contextScope;

    @Param({"never", "stopped", "recording"})
    public String jfr;

    private ContextTree tree;
    private Context ctx;
    private Recording recording;

    @Setup
    public void setUp() {
        // read by the JFR listener provider as the tree is made
        System.setProperty("canopy.jfr.contextScope", String.valueOf(contextScope));
        tree = ContextTree.builder().rootName("bench").build();
        ctx = tree.root().child("svc").open();
        switch (jfr) {
            case "never" -> {
            }
            case "stopped" -> {
                try (Recording r = new Recording(JfrTemplates.canopyConfiguration())) {
                    r.start();
                    try (Scope s = ctx.makeCurrent()) {
                        Canopy.current();
                    }
                    r.stop();
                }
            }
            case "recording" -> {
                recording = new Recording(JfrTemplates.canopyConfiguration());
                recording.setMaxSize(64L << 20); // nothing here should be committed; bounded all the same
                recording.start();
            }
            default -> throw new IllegalArgumentException("jfr=" + jfr);
        }
    }

    @TearDown
    public void tearDown() {
        if (recording != null) {
            recording.stop();
            recording.close();
        }
        tree.close();
        System.clearProperty("canopy.jfr.contextScope");
    }

    @Benchmark
    public Context makeCurrentScope() {
        try (Scope s = ctx.makeCurrent()) {
            return Canopy.current();
        }
    }
}
