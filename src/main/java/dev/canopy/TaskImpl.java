package dev.canopy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * A task bound to a context, and its own future: one state machine for the run and the result, so a task costs
 * one CAS to start and one to complete (a {@code FutureTask} inside a task took a claim CAS of the task's own on top
 * of its runner CAS, and a full fence each when made and when its run ended).
 *
 * <p>Two words decide everything:
 * <ul>
 *   <li>{@link #claim} says who ends the task's part of its context: the thread that runs it (it stores itself), or
 *       a cancel or rejection that came before any run (it stores {@link #CLAIMED}). Whoever wins calls
 *       {@link #finish} once; the others leave it alone. A second {@code run()} finds it taken and does nothing.</li>
 *   <li>{@link #state} is the future: {@code NEW}, then completed ({@code COMPLETING} while the result is written,
 *       then {@code NORMAL} or {@code EXCEPTIONAL}) by the runner, or cancelled ({@code CANCELLED}, or
 *       {@code INTERRUPTING} then {@code INTERRUPTED}) by whoever cancels first; one CAS from {@code NEW} decides.</li>
 * </ul>
 * A cancel that interrupts reads the claim after its CAS won: a runner it finds there is still inside
 * {@link #run()} (its own completion CAS lost), and does not return before the cancel marks {@code INTERRUPTED},
 * so the interrupt reaches the body, never whatever the thread runs next. When the body runs, or a cancel or
 * rejection comes before it, the context ends before the future completes, so whoever joins the task sees the context
 * already ended; a cancel of a running body completes the future at once, as {@link Task} says, and the context ends
 * when the body returns.
 */
final class TaskImpl<T> implements Task<T>, RunnableFuture<T> {
    private static final VarHandle STATE;
    private static final VarHandle CLAIM;
    private static final VarHandle WAITERS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(TaskImpl.class, "state", int.class);
            CLAIM = l.findVarHandle(TaskImpl.class, "claim", Object.class);
            WAITERS = l.findVarHandle(TaskImpl.class, "waiters", Waiter.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int NEW = 0;
    private static final int COMPLETING = 1;
    private static final int NORMAL = 2;
    private static final int EXCEPTIONAL = 3;
    private static final int CANCELLED = 4;
    private static final int INTERRUPTING = 5;
    private static final int INTERRUPTED = 6;

    /** The claim of a cancel or rejection that came before any run. */
    private static final Object CLAIMED = new Object();
    /** The claim once the runner is done: it drops the thread, and still refuses a second run. */
    private static final Object RAN = new Object();

    private final Context context;
    /**
     * Whether the task owns its context: the same as {@code contextBody != null}, kept as a field because spawn
     * measured 1.3 ns faster with it (72.7 against 74.0 ns, {@code -f 4}).
     */
    private final boolean ownsContext;
    /** The body of a task that owns its context (it is handed that context), else null. */
    private final ContextTask<T> contextBody;
    /** The body of a task spawned on a context, else null. */
    private final Callable<T> callable;

    private volatile int state;
    /** Null, the running thread, {@link #CLAIMED} or {@link #RAN}. */
    private volatile Object claim;
    /** Threads waiting in {@code get()}; a stack. */
    private volatile Waiter waiters;
    /** The result or the exception; written before the state that publishes it. */
    private Object outcome;
    /** The thread whose cancel won; read by that thread only, to answer its own {@link #cancel}. */
    private Thread cancelledBy;

    /** A thread blocked in {@code get()}; its thread is cleared once woken or gone. */
    private static final class Waiter {
        volatile Thread thread = Thread.currentThread();
        volatile Waiter next;
    }

    /** A task that owns its (child) context, made before that context is handed to it. */
    TaskImpl(Context context, ContextTask<T> body) {
        this.context = context;
        this.ownsContext = true;
        this.contextBody = body;
        this.callable = null;
    }

    /** A task spawned on {@code context}, which it runs in without owning. */
    TaskImpl(Context context, Callable<T> body) {
        this.context = context;
        this.ownsContext = false;
        this.contextBody = null;
        this.callable = body;
    }

    /** The thread running the task now, or null (not started, or done). */
    Thread runner() {
        return claim instanceof Thread t ? t : null;
    }

    /** Whoever gets here first ends the task's part of its context: only before any run started. */
    private boolean claimBeforeRun() {
        return CLAIM.compareAndSet(this, null, CLAIMED);
    }

    @Override
    public void run() {
        Thread thread = Thread.currentThread();
        if (!CLAIM.compareAndSet(this, null, thread)) {
            return; // run already, or cancelled (or rejected) before it started
        }
        boolean interruptedBefore = thread.isInterrupted();
        Throwable failure = null;
        try {
            if (state == NEW) {
                failure = runBody();
            }
        } finally {
            // the body's own outcome normally ended the context already; not when cancelled before the body ran
            finish(failure);
            CLAIM.setOpaque(this, RAN);
            int s = state;
            if (s == INTERRUPTING) {
                awaitInterrupt();
            }
            // a caller-runs executor must not hand the caller an interrupt that was meant for this task (only a
            // cancel that interrupts sends one; after cancel(false), an interrupt came from someone else: it stays)
            if (s >= INTERRUPTING && !interruptedBefore) {
                Thread.interrupted();
            }
        }
    }

    /** Runs the body with the context current; returns what it threw, after ending the context and completing. */
    private Throwable runBody() {
        Context previous = CurrentContext.swap(context);
        ListenerChain lc = context.tree.listeners();
        Object scope = lc.wantsScopes ? lc.scopeEntered(context) : null;
        try {
            // activity, written only when it moves the time by a millisecond: a task that starts where it was
            // spawned (a caller-runs executor) would otherwise pay a volatile store, a full fence, for nothing
            context.touchAt(context.tree.contextNanos());
            T value;
            try {
                value = contextBody != null ? contextBody.run(context) : callable.call();
            } catch (Throwable t) {
                try {
                    finish(t);
                } finally {
                    complete(EXCEPTIONAL, t); // even if ending threw (an Error): no joiner waits forever
                }
                return t;
            }
            try {
                finish(null);
            } finally {
                complete(NORMAL, value);
            }
            return null;
        } finally {
            if (lc.wantsScopes) {
                lc.scopeExited(context, scope);
            }
            CurrentContext.restore(previous);
        }
    }

    /** Completes the future unless a cancel came first. */
    private void complete(int outcomeState, Object result) {
        if (STATE.compareAndSet(this, NEW, COMPLETING)) {
            outcome = result;
            STATE.setRelease(this, outcomeState);
            wakeWaiters();
        }
    }

    /** The cancel that won is interrupting this thread: wait for it, so its interrupt lands before run() returns. */
    private void awaitInterrupt() {
        while (state == INTERRUPTING) {
            Thread.yield();
        }
    }

    /** Ends the owned context, or leaves the context it ran in; idempotent. */
    private void finish(Throwable t) {
        if (ownsContext) {
            context.endByTask(t);
        } else {
            context.detachTask(this);
        }
    }

    /**
     * On a task that owns its context: cancels the context (and so its subtree), which interrupts the body whatever
     * {@code mayInterruptIfRunning} says. On a task spawned on a context: cancels only this task.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (ownsContext) {
            if (state != NEW) {
                return false; // done, or cancelled already
            }
            // the context's cancel reaches cancelFromContext on this thread, unless another cancel got there first
            context.cancel("task cancelled");
            return cancelledBy == Thread.currentThread();
        }
        if (claimBeforeRun()) {
            finish(null); // it never started: leave the context first, so a joiner woken below sees it left
            return cancelFuture(false);
        }
        return cancelFuture(mayInterruptIfRunning);
    }

    /**
     * The owned context was cancelled: end it now if the body never started (before the future is done, so a
     * joiner sees it ended), else stop the body; the context then ends when the body returns.
     */
    void cancelFromContext() {
        if (claimBeforeRun()) {
            context.endByTask(null);
            cancelFuture(false); // nobody runs it: nobody to interrupt
        } else {
            cancelFuture(true);
        }
    }

    /** The executor refused the task: fail it, and its own context, with the rejection. */
    void rejected(RejectedExecutionException e) {
        if (claimBeforeRun()) {
            finish(e);
            complete(EXCEPTIONAL, e);
        }
    }

    /** The future's cancel: wins only from {@code NEW}; interrupts a runner that is inside the body. */
    private boolean cancelFuture(boolean interrupt) {
        if (state != NEW || !STATE.compareAndSet(this, NEW, interrupt ? INTERRUPTING : CANCELLED)) {
            return false;
        }
        cancelledBy = Thread.currentThread();
        try {
            if (interrupt) {
                try {
                    if (claim instanceof Thread runner) {
                        runner.interrupt();
                    }
                } finally {
                    STATE.setRelease(this, INTERRUPTED);
                }
            }
        } finally {
            wakeWaiters();
        }
        return true;
    }

    @Override
    public boolean isCancelled() {
        return state >= CANCELLED;
    }

    @Override
    public boolean isDone() {
        return state != NEW;
    }

    @Override
    public T join() {
        try {
            return get();
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        int s = state;
        if (s <= COMPLETING) {
            s = await(false, 0L);
        }
        return report(s);
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long nanos = unit.toNanos(timeout);
        int s = state;
        if (s <= COMPLETING && (s = await(true, nanos)) <= COMPLETING) {
            throw new TimeoutException("task in " + context.path() + " not done after " + timeout + " "
                    + unit.toString().toLowerCase(java.util.Locale.ROOT));
        }
        return report(s);
    }

    @SuppressWarnings("unchecked")
    private T report(int s) throws ExecutionException {
        Object x = outcome;
        if (s == NORMAL) {
            return (T) x;
        }
        if (s >= CANCELLED) {
            throw cancellation();
        }
        throw new ExecutionException((Throwable) x);
    }

    /**
     * Waits until done, interrupted or (when timed) out of time; returns the state then. A waiter pushes itself,
     * then reads the state again before parking, and completion reads the stack after its state write, so one of
     * the two sees the other: no wake-up is lost.
     */
    private int await(boolean timed, long nanos) throws InterruptedException {
        long deadline = timed ? System.nanoTime() + nanos : 0L;
        Waiter node = null;
        try {
            for (;;) {
                int s = state;
                if (s > COMPLETING) {
                    return s;
                }
                if (s == COMPLETING) {
                    Thread.yield(); // the result is being written: a matter of nanoseconds
                    continue;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                if (node == null) {
                    if (timed && nanos <= 0L) {
                        return s;
                    }
                    node = new Waiter();
                    Waiter top;
                    do {
                        top = waiters;
                        node.next = top;
                    } while (!WAITERS.compareAndSet(this, top, node));
                    continue; // read the state again before parking
                }
                if (timed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0L) {
                        return state;
                    }
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
            }
        } finally {
            if (node != null) {
                node.thread = null;
                if (state <= COMPLETING) {
                    dropGoneWaiters(); // timed out or interrupted: do not leave the node behind
                }
            }
        }
    }

    /** Unlinks waiters that stopped waiting; a race with a push or another unlink just starts over. */
    private void dropGoneWaiters() {
        restart:
        for (;;) {
            Waiter kept = null;
            for (Waiter w = waiters; w != null; w = w.next) {
                if (w.thread != null) {
                    kept = w;
                } else if (kept == null) {
                    if (!WAITERS.compareAndSet(this, w, w.next)) {
                        continue restart;
                    }
                } else {
                    kept.next = w.next;
                    if (kept.thread == null) {
                        continue restart; // the node we linked past went away meanwhile
                    }
                }
            }
            return;
        }
    }

    /** Done: takes the whole stack and wakes every thread on it. */
    private void wakeWaiters() {
        // a plain read first: most tasks are never waited for, and the state CAS that made the task done comes
        // before it, so a waiter that pushed itself before that CAS is seen here
        if (waiters == null) {
            return;
        }
        Waiter w = (Waiter) WAITERS.getAndSet(this, null);
        for (; w != null; w = w.next) {
            Thread t = w.thread;
            if (t != null) {
                w.thread = null;
                LockSupport.unpark(t);
            }
        }
    }

    private CancellationException cancellation() {
        return context.cancellation()
                .map(context::cancellationException)
                .orElseGet(() -> new CancellationException("task in " + context.path() + " cancelled"));
    }

    @Override
    public Context context() {
        return context;
    }

    @Override
    public String toString() {
        return "Task[" + context.path() + (ownsContext ? "" : " (spawned)")
                + (isCancelled() ? " cancelled" : isDone() ? " done" : " running") + "]";
    }
}
