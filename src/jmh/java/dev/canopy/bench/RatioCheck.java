package dev.canopy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a JMH JSON result file and checks every goal as a ratio against the baseline or peer measured in the same
 * run, or as an absolute figure. Needs only a JDK: {@code bench/check target/jmh-result.json} (a single-file program;
 * no Maven, no Jackson).
 *
 * <p>Two modes. By default every goal is checked against its target and the exit status is 1 when any is missed: a
 * goal is a goal. With {@code --guards <file>} a goal that is missed (and says so) passes when it stays within its
 * regression guard, the worst ratio BENCHMARKS.md has published for it with room for this machine's noise: that mode
 * catches a change that makes things worse, not one that fails to make them good. Exit 2: results missing or
 * unreadable.
 */
public final class RatioCheck {
    /**
     * A goal: {@code (numerator - minus) ÷ denominator × scale} compared with {@code target}, at most or
     * ({@code atLeast}) at least. A null {@code minus} subtracts nothing; a null denominator makes it an absolute
     * figure. With {@code minus}, a goal measures what one thing adds to another ("a bridged span costs at most one
     * child more than a bare span").
     */
    record Goal(String name, String numerator, String minus, String denominator, double scale, double target,
                boolean atLeast) {
    }

    static final String P = "dev.canopy.bench.";

    static final List<Goal> GOALS = List.of(
            // what a user would pick instead, measured in the same run (BENCHMARKS.md, "Beside the peers")
            faster("OpenTelemetry span vs Canopy child (times faster)", "peers.PeerBenchmark.otelSpanStartEnd",
                    "peers.PeerBenchmark.canopyChildOpenClose", 2.0),
            faster("OpenTelemetry span vs Canopy child, 2 threads (times faster)",
                    "peers.PeerBenchmark.otelSpanStartEnd2", "peers.PeerBenchmark.canopyChildOpenClose2", 2.0),
            new Goal("Canopy child, throughput of 2 threads vs 1", "peers.PeerBenchmark.canopyChildOpenClose", null,
                    "peers.PeerBenchmark.canopyChildOpenClose2", 2.0, 1.7, true),
            faster("Micrometer observation vs Canopy child (times faster)",
                    "peers.PeerBenchmark.micrometerObservationStartStop", "peers.PeerBenchmark.canopyChildOpenClose",
                    5.0),
            ratio("mutex contended, 2 threads", "LockBenchmark.mutexContended2",
                    "LockBenchmark.baselineReentrantLockContended2", 1.3),
            ratio("mutex contended, 8 threads", "LockBenchmark.mutexContended8",
                    "LockBenchmark.baselineReentrantLockContended8", 1.3),
            ratio("mutex uncontended vs ReentrantLock", "LockBenchmark.mutexLockUnlock",
                    "LockBenchmark.baselineReentrantLock", 3.0),
            // what a bridge adds to bare instrumentation, in child open+close (BENCHMARKS.md, "Bridges")
            added("Micrometer observation bridge adds (child open+close)",
                    "peers.BridgeBenchmark.bridgedObservationStartStop", "peers.BridgeBenchmark.bareObservationStartStop",
                    "peers.BridgeBenchmark.canopyChildOpenClose", 1.0),
            added("OpenTelemetry span bridge adds (child open+close)", "peers.BridgeBenchmark.bridgedSpanStartEnd",
                    "peers.BridgeBenchmark.bareSpanStartEnd", "peers.BridgeBenchmark.canopyChildOpenClose", 1.0),
            // against bare JDK baselines
            ratio("child open+close vs node link/unlink", "ContextBenchmark.childOpenClose",
                    "ContextBenchmark.baselineNodeLinkUnlink", 2.0),
            ratio("default JMX policy vs none", "ContextBenchmark.childOpenClose",
                    "ContextBenchmark.childOpenCloseJmxNone", 1.1),
            ratio("after a JFR recording vs no JFR", "JfrIdleBenchmark.childOpenCloseAfterJfr",
                    "ContextBenchmark.childOpenClose", 1.1),
            ratio("while recording vs bare JFR events", "JfrRecordingBenchmark.childOpenCloseRecording",
                    "JfrRecordingBenchmark.baselineBareEvents", 2.0),
            // while a recording with the JDK's default settings runs: against the JDK lock with a hand-written hold
            // event of the same threshold (BENCHMARKS.md, "Named locks while recording")
            ratio("mutex while recording vs ReentrantLock with a hold event", "JfrLockBenchmark.mutexLockUnlock",
                    "JfrLockBenchmark.baselineReentrantLockHoldEvent", 1.5),
            ratio("read lock while recording vs read lock with a hold event", "JfrLockBenchmark.readLockUnlock",
                    "JfrLockBenchmark.baselineReadLockHoldEvent", 1.5),
            ratio("semaphore while recording vs Semaphore with a hold event",
                    "JfrLockBenchmark.semaphoreAcquireRelease", "JfrLockBenchmark.baselineSemaphoreHoldEvent", 1.5),
            ratio("mutex contended, 2 threads, while recording", "JfrLockBenchmark.mutexContended2",
                    "JfrLockBenchmark.baselineReentrantLockHoldEventContended2", 1.5),
            ratio("spawnChild+join caller-runs vs FutureTask", "SpawnBenchmark.spawnChildJoinCallerRuns",
                    "SpawnBenchmark.baselineFutureTaskRunGet", 3.0),
            ratio("spawnChild+join default executor vs submit+get", "SpawnBenchmark.spawnChildJoinDefaultExecutor",
                    "SpawnBenchmark.baselineExecutorSubmitGet", 1.1),
            ratio("cancel 1,000 vs volatile flag walk", "CancelBenchmark.cancelSubtree[size=1000]",
                    "CancelBenchmark.baselineVolatileFlagWalk[size=1000]", 2.0),
            ratio("cancel 100,000 vs volatile flag walk", "CancelBenchmark.cancelSubtree[size=100000]",
                    "CancelBenchmark.baselineVolatileFlagWalk[size=100000]", 2.0),
            ratio("read lock vs ReentrantReadWriteLock", "LockBenchmark.readLockUnlock",
                    "LockBenchmark.baselineReadLock", 1.5),
            ratio("semaphore vs Semaphore", "LockBenchmark.semaphoreAcquireRelease",
                    "LockBenchmark.baselineSemaphore", 1.5),
            ratio("incrementTotal, 1 thread", "CounterBenchmark.incrementTotal", "CounterBenchmark.baselineLongAdder", 3.0),
            ratio("incrementTotal, 8 threads", "CounterBenchmark.incrementTotal8", "CounterBenchmark.baselineLongAdder8", 3.0),
            ratio("incrementLive+decrementLive, 1 thread", "CounterBenchmark.incrementDecrementLive",
                    "CounterBenchmark.baselineLongAdderPair", 3.0),
            ratio("incrementLive+decrementLive, 8 threads", "CounterBenchmark.incrementDecrementLive8",
                    "CounterBenchmark.baselineLongAdderPair8", 3.0),
            ratio("Canopy.current() vs ThreadLocal.get", "CurrentBenchmark.current",
                    "CurrentBenchmark.baselineThreadLocalGet", 2.0),
            ratio("makeCurrent scope vs ThreadLocal set+restore", "CurrentBenchmark.makeCurrentScope",
                    "CurrentBenchmark.baselineThreadLocalSetRestore", 2.0),
            new Goal("status() with 10,000 contexts, ms", "StatusBenchmark.status10k", null, null, 1, 20.0, false),
            new Goal("bytes per live context", "MemoryBenchmark.memoryPerLiveContext:bytesPerLiveContext", null, null,
                    1, 250.0, false));

    private static Goal ratio(String name, String numerator, String denominator, double target) {
        return new Goal(name, numerator, null, denominator, 1, target, false);
    }

    private static Goal faster(String name, String peer, String canopy, double target) {
        return new Goal(name, peer, null, canopy, 1, target, true);
    }

    private static Goal added(String name, String with, String without, String unit, double target) {
        return new Goal(name, with, without, unit, 1, target, false);
    }

    private RatioCheck() {
    }

    public static void main(String[] args) throws IOException {
        boolean guardMode = args.length == 3 && args[1].equals("--guards");
        if (args.length != 1 && !guardMode) {
            System.err.println("usage: bench/check <jmh-result.json> [--guards <regression-guards.properties>]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        Map<String, Double> scores;
        try {
            scores = scores(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            System.err.println("cannot read JMH results from " + file + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        Map<String, Double> guards = guardMode ? guards(Path.of(args[2])) : Map.of();
        List<String> lines = new ArrayList<>();
        int failed = check(scores, guards, guardMode, lines);
        lines.forEach(System.out::println);
        if (failed < 0) {
            System.exit(2);
        }
        if (guardMode) {
            System.out.println(failed == 0 ? "no goal worse than its regression guard"
                    : failed + " goal(s) worse than their regression guard");
        } else {
            System.out.println(failed == 0 ? "all goals met" : failed + " goal(s) missed");
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    /**
     * Checks every goal; returns how many failed (missed their target, or in guard mode went past their guard as
     * well), or -1 when a goal's benchmark is absent (a partial run: say so rather than pass).
     */
    static int check(Map<String, Double> scores, Map<String, Double> guards, boolean guardMode, List<String> out) {
        int failed = 0;
        boolean absent = false;
        for (Goal g : GOALS) {
            Double num = scores.get(P + g.numerator());
            Double minus = g.minus() == null ? Double.valueOf(0) : scores.get(P + g.minus());
            Double den = g.denominator() == null ? Double.valueOf(1) : scores.get(P + g.denominator());
            if (num == null || minus == null || den == null) {
                out.add(String.format(Locale.ROOT, "MISSING %-62s no result for %s", g.name(),
                        num == null ? g.numerator() : minus == null ? g.minus() : g.denominator()));
                absent = true;
                continue;
            }
            double value = (num - minus) / den * g.scale();
            boolean met = g.atLeast() ? value >= g.target() : value <= g.target();
            Double guard = guards.get(g.name());
            boolean withinGuard = guard != null && (g.atLeast() ? value >= guard : value <= guard);
            String status = met ? "ok" : guardMode && withinGuard ? "missed" : "MISSED";
            if (!met && !(guardMode && withinGuard)) {
                failed++;
            }
            String op = g.atLeast() ? ">=" : "<=";
            out.add(String.format(Locale.ROOT, "%-7s %-62s %10.2f  target %s %.2f%s", status, g.name(), value, op,
                    g.target(), met || guard == null ? ""
                            : String.format(Locale.ROOT, "  (regression guard %s %.2f: %s)", op, guard,
                            withinGuard ? "within" : "WORSE")));
        }
        return absent ? -1 : failed;
    }

    /** Regression guards for missed goals, as {@code goal name = limit} lines. */
    static Map<String, Double> guards(Path file) throws IOException {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            int eq = t.lastIndexOf('=');
            out.put(t.substring(0, eq).strip(), Double.parseDouble(t.substring(eq + 1).strip()));
        }
        return out;
    }

    /**
     * Benchmark name (with {@code [param=value]} when parameterised, and {@code :secondary} for secondary metrics)
     * to score, from JMH's JSON. A small reader for that one shape, so the check needs nothing but a JDK.
     */
    static Map<String, Double> scores(String json) {
        Object root = new Reader(json).value();
        Map<String, Double> out = new LinkedHashMap<>();
        for (Object o : (List<?>) root) {
            Map<?, ?> run = (Map<?, ?>) o;
            String name = (String) run.get("benchmark");
            Map<?, ?> params = (Map<?, ?>) run.get("params");
            if (params != null && !params.isEmpty()) {
                StringBuilder b = new StringBuilder(name).append('[');
                params.forEach((k, v) -> b.append(b.charAt(b.length() - 1) == '[' ? "" : ",").append(k).append('=').append(v));
                name = b.append(']').toString();
            }
            out.put(name, ((Number) ((Map<?, ?>) run.get("primaryMetric")).get("score")).doubleValue());
            Map<?, ?> secondary = (Map<?, ?>) run.get("secondaryMetrics");
            if (secondary != null) {
                for (var e : secondary.entrySet()) {
                    // per-iteration values: an @AuxCounters EVENTS score is their sum, and a per-item figure wants
                    // their mean
                    Object raw = ((Map<?, ?>) e.getValue()).get("rawData");
                    double sum = 0;
                    int count = 0;
                    if (raw instanceof List<?> forks) {
                        for (Object fork : forks) {
                            for (Object v : (List<?>) fork) {
                                sum += ((Number) v).doubleValue();
                                count++;
                            }
                        }
                    }
                    if (count > 0) {
                        out.put(name + ":" + e.getKey(), sum / count);
                    }
                }
            }
        }
        return out;
    }

    /** Just enough JSON: objects, arrays, strings, numbers (NaN too), true/false/null. */
    private static final class Reader {
        private final String s;
        private int i;

        Reader(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                skip();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    skip();
                    String k = string();
                    skip();
                    expect(':');
                    m.put(k, value());
                    skip();
                    if (s.charAt(i++) == '}') {
                        return m;
                    }
                }
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                skip();
                if (s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    l.add(value());
                    skip();
                    if (s.charAt(i++) == ']') {
                        return l;
                    }
                }
            }
            if (c == '"') {
                String str = string();
                return str.equals("NaN") ? Double.NaN : str;
            }
            int start = i;
            while (i < s.length() && ",}] \n\r\t".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            String word = s.substring(start, i);
            return switch (word) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                case "null" -> null;
                default -> Double.parseDouble(word);
            };
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\') {
                    char e = s.charAt(i++);
                    b.append(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'u' -> {
                            char u = (char) Integer.parseInt(s.substring(i, i + 4), 16);
                            i += 4;
                            yield u;
                        }
                        default -> e;
                    });
                } else {
                    b.append(c);
                }
            }
            i++;
            return b.toString();
        }

        private void expect(char c) {
            if (s.charAt(i) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i);
            }
            i++;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}
