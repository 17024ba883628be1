package dev.canopy;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A future only Canopy completes: callers may wait on it and chain from it, but completing, cancelling or
 * obtruding it throws. One instance is shared by every caller, so polling it allocates nothing that lingers.
 */
final class ReadOnlyFuture<T> extends CompletableFuture<T> {

    void completeInternally(T value) {
        super.complete(value);
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    @Override
    public boolean complete(T value) {
        throw readOnly();
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        throw readOnly();
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        throw readOnly();
    }

    @Override
    public void obtrudeValue(T value) {
        throw readOnly();
    }

    @Override
    public void obtrudeException(Throwable ex) {
        throw readOnly();
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        throw readOnly();
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, java.util.concurrent.Executor executor) {
        throw readOnly();
    }

    private static UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("this future is completed by Canopy only; chain from it instead");
    }
}
