package dev.canopy.bench;

import dev.canopy.ContextTree;
import org.openjdk.jmh.infra.Blackhole;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Not a JMH benchmark: a program that explains the spread of the contended mutex rows. In each round it measures
 * how long a cache line takes to go from one core to the other and back (two threads passing a counter), then the
 * {@code LockBenchmark.mutexContended2} workload on a {@link ReentrantLock}, on a {@code ReentrantLock} whose first
 * wait is timed as a named mutex's is ({@code tryLock(50 µs)}, then {@code lock()}), and on a named mutex, back to
 * back. On a virtual machine the hypervisor may move the two virtual CPUs between cores that share a cache and cores
 * that do not, while the program runs; the round trip shows which, and the lock ratio is read against it. Each
 * lock's column also gives its hand-overs: the share of acquisitions whose thread is not the one that held the lock
 * before, as each costs a cache line's trip to the other core.
 *
 * <pre>mvn -Pjmh test-compile exec:exec -Dexec.mainClass=dev.canopy.bench.HandOverProbe -Dexec.programArgs=40</pre>
 * (the argument is the number of rounds, each about 2 s).
 */
public final class HandOverProbe {
    /** Round trips above this are taken as a placement without a shared cache (on this machine: ~60 vs ~450 ns). */
    private static final double FAR_ROUND_TRIP_NANOS = 200;
    private static volatile long ball;

    private HandOverProbe() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        try (ContextTree tree = ContextTree.builder().rootName("probe").build()) {
            Lock jdk = new ReentrantLock();
            Lock jdkTimedFirst = new TimedFirstWait(new ReentrantLock());
            Lock named = tree.root().mutex("probe");
            List<Double> near = new ArrayList<>();
            List<Double> far = new ArrayList<>();
            List<Double> nearTimedFirst = new ArrayList<>();
            System.out.println("round  round-trip ns  ReentrantLock ns (hand-overs)  timed first wait ns (hand-overs)"
                    + "  named mutex ns (hand-overs)  ratio");
            for (int round = 0; round < rounds; round++) {
                double before = roundTripNanos(100);
                Contended baseline = contended(jdk, 700);
                Contended timedFirst = contended(jdkTimedFirst, 700);
                Contended ours = contended(named, 700);
                double after = roundTripNanos(100);
                double ratio = ours.nanos / baseline.nanos;
                boolean isFar = before > FAR_ROUND_TRIP_NANOS && after > FAR_ROUND_TRIP_NANOS;
                boolean isNear = before <= FAR_ROUND_TRIP_NANOS && after <= FAR_ROUND_TRIP_NANOS;
                if (round > 1) { // the first two rounds warm up the compiler
                    if (isFar) {
                        far.add(ratio);
                    } else if (isNear) {
                        near.add(ratio);
                        nearTimedFirst.add(timedFirst.nanos / baseline.nanos);
                    }
                }
                System.out.printf(Locale.ROOT,
                        "%5d  %5.0f / %-5.0f  %16.1f (%.3f)  %22.1f (%.3f)  %17.1f (%.3f)  %5.2f%s%n", round,
                        before, after, baseline.nanos, baseline.handOvers, timedFirst.nanos, timedFirst.handOvers,
                        ours.nanos, ours.handOvers, ratio,
                        isFar || isNear ? "" : "  (placement changed)");
            }
            System.out.println("near cores (round trip <= " + (int) FAR_ROUND_TRIP_NANOS + " ns): " + summary(near));
            System.out.println("near cores, ReentrantLock with a timed first wait / ReentrantLock: "
                    + summary(nearTimedFirst));
            System.out.println("far cores: " + summary(far));
        }
    }

    /**
     * A {@code ReentrantLock} acquired as a named mutex acquires its JDK lock: a barging try, then a first wait that
     * is timed, then an untimed one.
     */
    private static final class TimedFirstWait implements Lock {
        private final ReentrantLock lock;

        TimedFirstWait(ReentrantLock lock) {
            this.lock = lock;
        }

        @Override
        public void lock() {
            if (!lock.tryLock()) {
                try {
                    if (!lock.tryLock(50, TimeUnit.MICROSECONDS)) {
                        lock.lock();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    lock.lock();
                }
            }
        }

        @Override
        public void unlock() {
            lock.unlock();
        }

        @Override
        public void lockInterruptibly() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean tryLock() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean tryLock(long time, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Condition newCondition() {
            throw new UnsupportedOperationException();
        }
    }

    private static String summary(List<Double> ratios) {
        if (ratios.isEmpty()) {
            return "no round";
        }
        List<Double> sorted = new ArrayList<>(ratios);
        sorted.sort(null);
        return String.format(Locale.ROOT, "%d rounds, ratio median %.2f, range %.2f-%.2f", sorted.size(),
                sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1));
    }

    /** The time for a counter to go to the other thread and back, averaged over {@code millis}. */
    private static double roundTripNanos(long millis) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        ball = 0;
        Thread other = new Thread(() -> {
            while (!stop.get()) {
                long v = ball;
                if ((v & 1) == 1) {
                    ball = v + 1;
                }
            }
        });
        other.start();
        long start = System.nanoTime();
        long end = start + millis * 1_000_000L;
        long trips = 0;
        while (true) {
            long v = ball;
            if ((v & 1) == 0) {
                ball = v + 1;
                if ((++trips & 1023) == 0 && System.nanoTime() > end) {
                    break;
                }
            }
        }
        long elapsed = System.nanoTime() - start;
        stop.set(true);
        other.join();
        return (double) elapsed / trips;
    }

    /** A contended round: nanoseconds per lock/work/unlock per thread, and hand-overs per acquisition. */
    private record Contended(double nanos, double handOvers) {
    }

    /** The thread that held the lock last; written only while holding it. */
    private static int lastHolder;
    private static long handOvers;

    /** Two threads for {@code millis}, as {@code LockBenchmark.mutexContended2}. */
    private static Contended contended(Lock lock, long millis) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder operations = new LongAdder();
        Thread[] threads = new Thread[2];
        handOvers = 0;
        for (int i = 0; i < threads.length; i++) {
            int self = i + 1;
            threads[i] = new Thread(() -> {
                long n = 0;
                while (!stop.get()) {
                    lock.lock();
                    try {
                        if (lastHolder != self) {
                            lastHolder = self;
                            handOvers++;
                        }
                        Blackhole.consumeCPU(20);
                    } finally {
                        lock.unlock();
                    }
                    n++;
                }
                operations.add(n);
            });
        }
        long start = System.nanoTime();
        for (Thread t : threads) {
            t.start();
        }
        Thread.sleep(millis);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        double ops = operations.sum();
        return new Contended((System.nanoTime() - start) * (double) threads.length / ops, handOvers / ops);
    }
}
