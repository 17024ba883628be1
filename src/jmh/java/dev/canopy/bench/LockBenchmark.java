package dev.canopy.bench;

import dev.canopy.Canopy;
import dev.canopy.ContextTree;
import dev.canopy.NamedLock;
import dev.canopy.NamedReadWriteLock;
import dev.canopy.NamedSemaphore;
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
 * Named locks against the JDK lock each wraps: uncontended, and a mutex contended by 2 and 8 threads. The "timed"
 * baselines add what knowing a holder and its hold time physically needs: a clock read at acquire and at release.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class LockBenchmark {
    private ContextTree tree;
    private NamedLock mutex;
    private NamedReadWriteLock rw;
    private NamedSemaphore semaphore;
    /** The same three on Canopy's default tree, whose JMX exporter listens beside the JFR listener, as in a service. */
    private NamedLock defaultTreeMutex;
    private NamedReadWriteLock defaultTreeRw;
    private NamedSemaphore defaultTreeSemaphore;
    private final ReentrantLock jdkMutex = new ReentrantLock();
    private final ReentrantReadWriteLock jdkRw = new ReentrantReadWriteLock();
    private final Semaphore jdkSemaphore = new Semaphore(1_000);

    @Setup
    public void setUp() {
        tree = ContextTree.builder().rootName("bench").build();
        mutex = tree.root().mutex("m");
        rw = tree.root().readWriteLock("rw");
        semaphore = tree.root().semaphore("s", 1_000);
        defaultTreeMutex = Canopy.global().mutex("bench-m");
        defaultTreeRw = Canopy.global().readWriteLock("bench-rw");
        defaultTreeSemaphore = Canopy.global().semaphore("bench-s", 1_000);
    }

    @TearDown
    public void tearDown() {
        tree.close();
    }

    @Benchmark
    public void baselineReentrantLock() {
        jdkMutex.lock();
        jdkMutex.unlock();
    }

    @Benchmark
    public long baselineReentrantLockTimed() {
        jdkMutex.lock();
        long since = System.nanoTime();
        long held = System.nanoTime() - since;
        jdkMutex.unlock();
        return held;
    }

    @Benchmark
    public void mutexLockUnlock() {
        mutex.lock();
        mutex.unlock();
    }

    @Benchmark
    public void baselineReadLock() {
        jdkRw.readLock().lock();
        jdkRw.readLock().unlock();
    }

    @Benchmark
    public long baselineReadLockTimed() {
        jdkRw.readLock().lock();
        long since = System.nanoTime();
        long held = System.nanoTime() - since;
        jdkRw.readLock().unlock();
        return held;
    }

    @Benchmark
    public void readLockUnlock() {
        rw.readLock().lock();
        rw.readLock().unlock();
    }

    @Benchmark
    public void baselineSemaphore() throws InterruptedException {
        jdkSemaphore.acquire();
        jdkSemaphore.release();
    }

    @Benchmark
    public long baselineSemaphoreTimed() throws InterruptedException {
        jdkSemaphore.acquire();
        long since = System.nanoTime();
        long held = System.nanoTime() - since;
        jdkSemaphore.release();
        return held;
    }

    @Benchmark
    public void semaphoreAcquireRelease() throws InterruptedException {
        semaphore.acquire();
        semaphore.release();
    }

    @Benchmark
    public void defaultTreeMutexLockUnlock() {
        defaultTreeMutex.lock();
        defaultTreeMutex.unlock();
    }

    @Benchmark
    public void defaultTreeReadLockUnlock() {
        defaultTreeRw.readLock().lock();
        defaultTreeRw.readLock().unlock();
    }

    @Benchmark
    public void defaultTreeSemaphoreAcquireRelease() throws InterruptedException {
        defaultTreeSemaphore.acquire();
        defaultTreeSemaphore.release();
    }

    private static void work(Blackhole bh) {
        Blackhole.consumeCPU(20);
    }

    @Benchmark
    @Threads(2)
    public void baselineReentrantLockContended2(Blackhole bh) {
        jdkMutex.lock();
        try {
            work(bh);
        } finally {
            jdkMutex.unlock();
        }
    }

    @Benchmark
    @Threads(2)
    public void mutexContended2(Blackhole bh) {
        mutex.lock();
        try {
            work(bh);
        } finally {
            mutex.unlock();
        }
    }

    @Benchmark
    @Threads(8)
    public void baselineReentrantLockContended8(Blackhole bh) {
        jdkMutex.lock();
        try {
            work(bh);
        } finally {
            jdkMutex.unlock();
        }
    }

    @Benchmark
    @Threads(8)
    public void mutexContended8(Blackhole bh) {
        mutex.lock();
        try {
            work(bh);
        } finally {
            mutex.unlock();
        }
    }

    @Benchmark
    @Threads(2)
    public void baselineSemaphoreShared2(Blackhole bh) throws InterruptedException {
        jdkSemaphore.acquire();
        try {
            work(bh);
        } finally {
            jdkSemaphore.release();
        }
    }

    /** Two threads taking and giving back permits of one semaphore with plenty free: a connection pool's pattern. */
    @Benchmark
    @Threads(2)
    public void semaphoreShared2(Blackhole bh) throws InterruptedException {
        semaphore.acquire();
        try {
            work(bh);
        } finally {
            semaphore.release();
        }
    }

    @Benchmark
    @Threads(8)
    public void baselineSemaphoreShared8(Blackhole bh) throws InterruptedException {
        jdkSemaphore.acquire();
        try {
            work(bh);
        } finally {
            jdkSemaphore.release();
        }
    }

    @Benchmark
    @Threads(8)
    public void semaphoreShared8(Blackhole bh) throws InterruptedException {
        semaphore.acquire();
        try {
            work(bh);
        } finally {
            semaphore.release();
        }
    }
}
