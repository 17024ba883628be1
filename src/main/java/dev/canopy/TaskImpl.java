package dev.canopy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;

/**
 * A task bound to a context. {@link FutureTask} gives the run/cancel/interrupt state machine (an interrupt from
 * {@code cancel(true)} is delivered before {@code run()} returns, never to whatever the thread runs next).
 */
final class TaskImpl<T> extends FutureTask<T> implements Task<T> {
    private static final VarHandle STARTED;

    static {
        try {
            STARTED = MethodHandles.lookup().findVarHandle(TaskImpl.class, "started", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Context context;
    private final boolean ownsContext;
    /** Claimed by whoever gets there first: the runner, or a cancel/rejection before it started. */
    private volatile boolean started;
    /** What the body threw; written by the runner before the context ends. */
    private Throwable failure;

    TaskImpl(Context context, boolean ownsContext, Callable<T> body) {
        super(body);
        this.context = context;
        this.ownsContext = ownsContext;
    }

    private boolean claim() {
        return STARTED.compareAndSet(this, false, true);
    }

    @Override
    public void run() {
        if (!claim()) {
            return;
        }
        Thread thread = Thread.currentThread();
        boolean interruptedBefore = thread.isInterrupted();
        try {
            context.runCurrent(() -> {
                // activity, written only when it moves the time by a millisecond: a task that starts where it was
                // spawned (a caller-runs executor) would otherwise pay a volatile store, a full fence, for nothing
                context.touchAt(context.tree.contextNanos());
                super.run();
                return null;
            });
        } catch (Exception e) {
            throw new AssertionError("FutureTask.run() keeps the body's exceptions", e);
        } finally {
            // set()/setException() normally finished already; not when the task was cancelled before its body ran
            finish(failure);
            // a caller-runs executor must not hand the caller an interrupt that was meant for this task
            if (isCancelled() && !interruptedBefore) {
                Thread.interrupted();
            }
        }
    }

    // The context ends before the future completes, so whoever joins the task sees the context already ended.
    @Override
    protected void set(T value) {
        finish(null);
        super.set(value);
    }

    @Override
    protected void setException(Throwable t) {
        failure = t;
        finish(t);
        super.setException(t);
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
            boolean wasDone = isDone();
            context.cancel("task cancelled");
            return !wasDone && isCancelled();
        }
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (claim()) {
            finish(null); // it never started: leave the context now
        }
        return cancelled;
    }

    /** The owned context was cancelled: stop the body, or end the context now if the body never started. */
    void cancelFromContext() {
        super.cancel(true);
        if (claim()) {
            context.endByTask(null);
        }
    }

    /** The executor refused the task: fail it, and its own context, with the rejection. */
    void rejected(RejectedExecutionException e) {
        if (claim()) {
            setException(e);
        }
    }

    @Override
    public T join() {
        try {
            return get();
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        } catch (CancellationException e) {
            throw cancellation();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        try {
            return super.get();
        } catch (CancellationException e) {
            throw cancellation();
        }
    }

    @Override
    public T get(long timeout, java.util.concurrent.TimeUnit unit)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        try {
            return super.get(timeout, unit);
        } catch (CancellationException e) {
            throw cancellation();
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
