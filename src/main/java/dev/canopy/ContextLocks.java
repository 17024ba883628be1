package dev.canopy;

import dev.canopy.internal.Names;
import dev.canopy.status.LockHolder;
import dev.canopy.status.LockWaiter;
import dev.canopy.status.OperationInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The named-locks and operations layer of {@link Context} (see {@link ContextData}): locks created in the context,
 * what it holds and waits for, and the operations ("await database-query") status shows it stuck on.
 */
abstract class ContextLocks extends ContextCounters {
    ContextLocks(ContextTree tree, long createdNanos) {
        super(tree, createdNanos);
    }

    /** This layer as the context it is part of. */
    abstract Context self();

    // ------------------------------------------------------------------ named locks and operations

    /**
     * A new named reentrant mutex created in this context (non-fair, as {@code new ReentrantLock()}). Each call
     * makes a new lock, as {@code new ReentrantLock()} does, even with a name used before: keep the returned lock
     * and share it, as you would share the JDK's. The name is what status, JMX and JFR show; two locks with one name
     * are two locks (their ids differ in JSON and JMX).
     */
    public NamedLock mutex(String name) {
        return mutex(name, false);
    }

    /** A new named reentrant mutex created in this context (see {@link #mutex(String)}: each call, a new lock). */
    public NamedLock mutex(String name, boolean fair) {
        return new NamedLock(self(), Names.checkKey("lock name", name), fair);
    }

    /** A new named read/write lock created in this context (non-fair; each call, a new lock). */
    public NamedReadWriteLock readWriteLock(String name) {
        return readWriteLock(name, false);
    }

    /** A new named read/write lock created in this context (each call, a new lock). */
    public NamedReadWriteLock readWriteLock(String name, boolean fair) {
        return new NamedReadWriteLock(self(), Names.checkKey("lock name", name), fair);
    }

    /** A new named semaphore with {@code permits} permits created in this context (non-fair; each call, a new one). */
    public NamedSemaphore semaphore(String name, int permits) {
        return semaphore(name, permits, false);
    }

    /** A new named semaphore with {@code permits} permits created in this context (each call, a new one). */
    public NamedSemaphore semaphore(String name, int permits, boolean fair) {
        Names.checkKey("lock name", name);
        NamedSemaphore.checkPermits("semaphore \"" + name + "\" permits", permits);
        return new NamedSemaphore(self(), name, permits, fair);
    }

    /** The named locks this context holds now (found through the tree's lock registry). */
    public List<LockHolder> heldLocks() {
        return tree.lockRegistry().holdersOf(self());
    }

    /** The named locks this context's threads are waiting for now. */
    public List<LockWaiter> awaitedLocks() {
        return tree.lockRegistry().waitersOf(self());
    }

    /**
     * Starts an operation — what this context is doing or waiting on, e.g. {@code "await database-query"} — shown
     * in status until closed ("stuck on: await database-query (12.3s)"). Waiting for a named lock is one too.
     */
    public Operation operation(String name) {
        Names.checkKey("operation name", name);
        long now = tree.clock.nanoTime();
        lastActivityNanos = now;
        return beginOperation(name, now);
    }

    OperationImpl beginOperation(String name, long now) {
        OperationImpl op = new OperationImpl(self(), name, now);
        extras().operations().add(op);
        return op;
    }

    void endOperation(OperationImpl op) {
        ContextExtras x = extras;
        if (x != null && x.operations != null) {
            x.operations.remove(op);
        }
    }

    /** The most recently started operation still in progress. */
    public Optional<OperationInfo> currentOperation() {
        ContextExtras x = extras;
        java.util.concurrent.ConcurrentLinkedDeque<OperationImpl> ops = x == null ? null : x.operations;
        OperationImpl op = ops == null ? null : ops.peekLast();
        return op == null ? Optional.empty() : Optional.of(op.info(tree.clock.nanoTime()));
    }

    /** Every operation in progress, oldest first. */
    public List<OperationInfo> operations() {
        ContextExtras x = extras;
        java.util.concurrent.ConcurrentLinkedDeque<OperationImpl> ops = x == null ? null : x.operations;
        if (ops == null || ops.isEmpty()) {
            return List.of();
        }
        long now = tree.clock.nanoTime();
        List<OperationInfo> out = new ArrayList<>();
        for (OperationImpl op : ops) {
            out.add(op.info(now));
        }
        return out;
    }
}
