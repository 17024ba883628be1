package dev.canopy;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;

/**
 * A running piece of work started by {@link Context#spawn(Runnable)}, {@link Context#spawnChild(String, ContextTask)}
 * or {@link ContextBuilder#spawn(ContextTask)}.
 *
 * <p>{@link #cancel(boolean)} on a task that owns its child context cancels that context (and so its subtree),
 * which interrupts the task's thread. On a task spawned with {@code ctx.spawn(...)} it cancels only that task.
 * As with any {@link Future}, a cancelled task is done at once ({@link #join()} throws); the body may still be
 * winding down, and its context stays in the tree, marked cancelled, until it returns.
 */
public interface Task<T> extends Future<T> {

    /**
     * Waits for the result.
     *
     * @throws CompletionException   wrapping what the body threw (or an {@link InterruptedException} if the
     *                               waiting thread was interrupted, with its interrupt flag set again)
     * @throws CancellationException if the task or its context was cancelled
     */
    T join();

    /** The context the task runs in: its own child context, or the context it was spawned on. */
    Context context();
}
