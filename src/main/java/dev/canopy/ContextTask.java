package dev.canopy;

/**
 * The body of a task that runs in its own child context. It may throw checked exceptions, as a
 * {@link java.util.concurrent.Callable} may; a throw ends the context as {@link ContextState#FAILED}.
 *
 * @param <T> the result type ({@code Void} and {@code return null} for none)
 */
@FunctionalInterface
public interface ContextTask<T> {
    T run(Context context) throws Exception;
}
