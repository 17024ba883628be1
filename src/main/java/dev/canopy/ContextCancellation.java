package dev.canopy;

import java.time.Duration;
import java.time.Instant;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The cancellation-state layer of {@link Context} (see {@link ContextData}): the one field that decides between
 * "cancelled" and "ended", the deadline that cancels by time, and everything that observes them: {@link #isCancelled()}, {@link #cancelled()},
 * {@link #awaitCancellation()}, {@link #onCancel}. How a cancel spreads through the tree, and how ending races it,
 * is {@link Context}'s (see its class comment).
 */
abstract class ContextCancellation extends ContextScopes {
    /**
     * Stored in {@code cancellation} by an end that came first: one CAS decides between "ended" and "cancelled",
     * so a cancel can never slip in after a task's body returned.
     */
    static final Cancellation ENDED = new Cancellation("(ended)", "", Instant.EPOCH);
    private static final VarHandle CANCELLATION;

    static {
        try {
            CANCELLATION = MethodHandles.lookup().findVarHandle(ContextCancellation.class, "cancellation",
                    Cancellation.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static final long NO_DEADLINE = Long.MAX_VALUE;

    /** Null while active; the cancellation once cancelled; {@link #ENDED} once it ended first. Set once. */
    volatile Cancellation cancellation;
    /** The effective deadline on the tree's clock: never later than the parent's. */
    private final long deadlineNanos;
    /** Runs this context's tasks, and the cancel a deadline triggers. */
    final java.util.concurrent.Executor executor;

    ContextCancellation(ContextTree tree, long createdNanos, long deadlineNanos, java.util.concurrent.Executor executor) {
        super(tree, createdNanos);
        this.deadlineNanos = deadlineNanos;
        this.executor = executor;
    }

    /** Cancels this context and its subtree (see {@link Context#cancel(String)}). */
    public abstract void cancel(String reason);

    /** Whether the context has ended and left the live tree. */
    public abstract boolean isEnded();

    /** Claims the field for a cancel; false if a cancel or the end came first. */
    final boolean claimForCancel(Cancellation c) {
        return CANCELLATION.compareAndSet(this, null, c);
    }

    /** Claims the field for the end; false if a cancel came first (the context then ends as cancelled). */
    final boolean claimForEnd() {
        return CANCELLATION.compareAndSet(this, null, ENDED);
    }

    /** Whether a cancel has reached this context (before it ended). */
    public boolean isCancelled() {
        Cancellation c = cancellation;
        return c != null && c != ENDED;
    }

    /** Why and by whom this context was cancelled, if it was. */
    public Optional<Cancellation> cancellation() {
        Cancellation c = cancellation;
        return c == ENDED ? Optional.empty() : Optional.ofNullable(c);
    }

    /** The cancellation, or null (never the internal end marker). */
    final Cancellation realCancellation() {
        Cancellation c = cancellation;
        return c == ENDED ? null : c;
    }

    /** Throws {@link CancellationException} with the reason if this context is cancelled. */
    public void throwIfCancelled() {
        Cancellation c = realCancellation();
        if (c != null) {
            throw cancellationException(c);
        }
    }

    CancellationException cancellationException(Cancellation c) {
        return new CancellationException("context " + path() + " cancelled: " + c.reason()
                + (c.initiatorPath().equals(path()) ? "" : " (by " + c.initiatorPath() + ")"));
    }

    /**
     * A future completed when this context is cancelled (never exceptionally; never, if it ends first). The same
     * read-only instance is returned every time: wait on it or chain from it; completing or cancelling it throws.
     * Its dependents run on the cancelling thread.
     */
    public CompletableFuture<Void> cancelled() {
        return cancelledFuture();
    }

    private ReadOnlyFuture<Void> cancelledFuture() {
        ReadOnlyFuture<Void> f = extras().cancelledFuture();
        if (isCancelled()) {
            f.completeInternally(null);
        }
        return f;
    }

    /**
     * Blocks until this context is cancelled. If the wait is ended by the interrupt that cancellation itself
     * sends to the context's task, this returns normally and leaves the interrupt flag set.
     */
    public void awaitCancellation() throws InterruptedException {
        if (isCancelled()) {
            return;
        }
        try {
            cancelledFuture().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            if (!isCancelled()) {
                throw e;
            }
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks until this context is cancelled or the timeout passes; returns whether it was cancelled. */
    public boolean awaitCancellation(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        if (isCancelled()) {
            return true;
        }
        try {
            cancelledFuture().get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            if (!isCancelled()) {
                throw e;
            }
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /**
     * Runs {@code callback} once when this context is cancelled, on the cancelling thread (immediately, on this
     * thread, if it already is; never, if it ends without being cancelled). Closing the returned registration
     * removes the callback. A callback that throws is logged and does not stop the cancel.
     */
    public Registration onCancel(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        CancelCallback registration = new CancelCallback(callback);
        Cancellation c = cancellation;
        if (c == null) {
            ContextExtras x = extras();
            registration.owner = x;
            x.callbacks().add(registration);
            c = cancellation;
            if (c == null) {
                return registration;
            }
        }
        if (c != ENDED) {
            registration.fire();
        }
        return registration;
    }

    // ------------------------------------------------------------------ deadline

    /** The effective deadline: this context's own or an ancestor's, whichever is earlier. */
    public Optional<Instant> deadline() {
        return deadlineNanos == NO_DEADLINE ? Optional.empty() : Optional.of(tree.instantAt(deadlineNanos));
    }

    /** Time left until the deadline (zero once passed), or empty when there is none. */
    public Optional<Duration> timeLeft() {
        if (deadlineNanos == NO_DEADLINE) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(0, deadlineNanos - tree.clock.nanoTime())));
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    void scheduleDeadline() {
        if (cancellation != null) {
            return;
        }
        long delay = deadlineNanos - tree.clock.nanoTime();
        if (delay <= 0) {
            deadlineExceeded();
            return;
        }
        ContextExtras x = extras();
        // the shared timer thread only hands over: cancel callbacks are user code and must not delay other deadlines
        // the timer holds the context weakly: a leaked context with a far deadline is still collected and reported
        java.lang.ref.WeakReference<ContextCancellation> self = new java.lang.ref.WeakReference<>(this);
        x.deadlineTimer = DeadlineTimer.schedule(() -> {
            ContextCancellation c = self.get();
            if (c != null) {
                c.deadlineExceededOnExecutor();
            }
        }, delay);
        if (isEnded()) {
            x.deadlineTimer.cancel(false);
        }
    }

    private void deadlineExceededOnExecutor() {
        try {
            executor.execute(this::deadlineExceeded);
        } catch (RejectedExecutionException e) {
            deadlineExceeded();
        }
    }

    private void deadlineExceeded() {
        if (cancellation == null) {
            cancel("deadline exceeded (" + tree.instantAt(deadlineNanos) + ")");
        }
    }
}
