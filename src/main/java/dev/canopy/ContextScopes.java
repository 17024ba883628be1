package dev.canopy;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;

/**
 * The current-context layer of {@link Context} (see {@link ContextData}): making a context current on a thread, and
 * carrying it to other threads and executors. Scopes are announced to listeners that want them (JFR's contextual
 * event uses them to tag every JDK event on the thread with the context).
 */
abstract class ContextScopes extends ContextLocks {
    ContextScopes(ContextTree tree, long createdNanos) {
        super(tree, createdNanos);
    }

    // ------------------------------------------------------------------ current context

    /**
     * Makes this context {@link Canopy#current() current} on this thread until the scope is closed:
     * {@code try (Scope s = ctx.makeCurrent()) { ... }}.
     */
    public Scope makeCurrent() {
        Context previous = CurrentContext.swap(self());
        ListenerChain lc = tree.listeners();
        if (!lc.wantsScopes) {
            return () -> CurrentContext.restore(previous);
        }
        Object scope = lc.scopeEntered(self());
        return () -> {
            lc.scopeExited(self(), scope);
            CurrentContext.restore(previous);
        };
    }

    /** Runs {@code body} with this context current, announcing the scope to listeners that want scopes. */
    <T> T runCurrent(Callable<T> body) throws Exception {
        Context previous = CurrentContext.swap(self());
        ListenerChain lc = tree.listeners();
        Object scope = lc.wantsScopes ? lc.scopeEntered(self()) : null;
        try {
            return body.call();
        } finally {
            if (lc.wantsScopes) {
                lc.scopeExited(self(), scope);
            }
            CurrentContext.restore(previous);
        }
    }

    /** Wraps {@code runnable} so it runs with this context current, on whatever thread runs it. */
    public Runnable wrap(Runnable runnable) {
        Objects.requireNonNull(runnable, "runnable");
        return () -> {
            try (Scope ignored = makeCurrent()) {
                runnable.run();
            }
        };
    }

    /** Wraps {@code callable} so it runs with this context current, on whatever thread runs it. */
    public <T> Callable<T> wrap(Callable<T> callable) {
        Objects.requireNonNull(callable, "callable");
        return () -> runCurrent(callable);
    }

    /** An executor that runs everything submitted to it with this context current. */
    public Executor wrap(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return command -> executor.execute(wrap(command));
    }
}
