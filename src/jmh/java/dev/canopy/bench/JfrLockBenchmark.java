package dev.canopy.bench;

import dev.canopy.ContextTree;
import dev.canopy.NamedLock;
import dev.canopy.NamedReadWriteLock;
import dev.canopy.NamedSemaphore;
import jdk.jfr.Configuration;
import jdk.jfr.Event;
import jdk.jfr.Name;
import jdk.jfr.Recording;
import jdk.jfr.Threshold;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Named locks while a recording with the JDK's {@code default} settings runs, as {@code -XX:StartFlightRecording}
 * starts one. Canopy's {@code dev.canopy.LockHold} event is enabled there with its 10 ms threshold, so every hold is
 * timed by JFR's clock, though only the long ones are written. The baselines are the JDK's locks with what a user
 * would write to record their holds by hand: a JFR event of the same threshold, begun inside the critical section
 * and ended after it, written only when it lasted long enough.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class JfrLockBenchmark {
    private ContextTree tree;
    private NamedLock mutex;
    private NamedReadWriteLock rw;
    private NamedSemaphore semaphore;
    private Recording recording;
    private final ReentrantLock jdkMutex = new ReentrantLock();
    private final ReentrantReadWriteLock jdkRw = new ReentrantReadWriteLock();
    private final Semaphore jdkSemaphore = new Semaphore(1_000);

    /** A hand-written hold event: the fields Canopy's carries, the same threshold. */
    @Name("bench.BareHold")
    @Threshold("10 ms")
    static final class BareHold extends Event {
        String lockName;
        String lockKind;
        String mode;
        long contextId;
        String path;
    }

    @Setup
    public void setUp() throws Exception {
        tree = ContextTree.builder().rootName("bench").build();
        mutex = tree.root().mutex("m");
        rw = tree.root().readWriteLock("rw");
        semaphore = tree.root().semaphore("s", 1_000);
        recording = new Recording(Configuration.getConfiguration("default"));
        recording.setMaxSize(64L << 20); // a ring in the disk repository, should a hold ever pass the threshold
        recording.start();
    }

    @TearDown
    public void tearDown() {
        recording.stop();
        recording.close();
        tree.close();
    }

    private static BareHold begin() {
        BareHold e = new BareHold();
        e.begin();
        return e;
    }

    private static void end(BareHold e, String lock, String kind, String mode) {
        e.end();
        if (e.shouldCommit()) {
            e.lockName = lock;
            e.lockKind = kind;
            e.mode = mode;
            e.path = "bench";
            e.commit();
        }
    }

    @Benchmark
    public void baselineReentrantLockHoldEvent() {
        jdkMutex.lock();
        BareHold e = begin();
        jdkMutex.unlock();
        end(e, "m", "MUTEX", "EXCLUSIVE");
    }

    @Benchmark
    public void mutexLockUnlock() {
        mutex.lock();
        mutex.unlock();
    }

    @Benchmark
    public void baselineReadLockHoldEvent() {
        jdkRw.readLock().lock();
        BareHold e = begin();
        jdkRw.readLock().unlock();
        end(e, "rw", "READ_WRITE", "READ");
    }

    @Benchmark
    public void readLockUnlock() {
        rw.readLock().lock();
        rw.readLock().unlock();
    }

    @Benchmark
    public void baselineSemaphoreHoldEvent() throws InterruptedException {
        jdkSemaphore.acquire();
        BareHold e = begin();
        jdkSemaphore.release();
        end(e, "s", "SEMAPHORE", "PERMIT");
    }

    @Benchmark
    public void semaphoreAcquireRelease() throws InterruptedException {
        semaphore.acquire();
        semaphore.release();
    }

    @Benchmark
    @Threads(2)
    public void baselineReentrantLockHoldEventContended2() {
        jdkMutex.lock();
        BareHold e;
        try {
            e = begin();
            Blackhole.consumeCPU(20);
        } finally {
            jdkMutex.unlock();
        }
        end(e, "m", "MUTEX", "EXCLUSIVE");
    }

    @Benchmark
    @Threads(2)
    public void mutexContended2() {
        mutex.lock();
        try {
            Blackhole.consumeCPU(20);
        } finally {
            mutex.unlock();
        }
    }
}
