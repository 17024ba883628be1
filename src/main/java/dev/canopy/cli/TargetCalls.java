package dev.canopy.cli;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls into target JVMs on threads of the command's own, each waited for at most the command's timeout.
 *
 * <p>Why: neither the Attach API nor a JMX connection has a read timeout. A target that is stopped (SIGSTOP, a
 * debugger, a pause that does not end) accepts the connection and never answers, and a command that waits for it
 * would hang exactly when an operator most wants an answer. A call that times out leaves its thread blocked (socket
 * reads ignore interrupts): the thread is a daemon, the next call gets another, and the process exits regardless.
 * A target that did not answer once is not asked again by the same command, which fails its further calls at once
 * rather than wait out the timeout for each.
 */
final class TargetCalls implements AutoCloseable {
    private final Duration timeout;
    private final ExecutorService callers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "canopy-target-call");
        t.setDaemon(true);
        return t;
    });
    /** The targets that did not answer within the timeout. */
    private final Set<String> unanswering = ConcurrentHashMap.newKeySet();

    TargetCalls(Duration timeout) {
        this.timeout = timeout;
    }

    Duration timeout() {
        return timeout;
    }

    /** {@code call}'s result, or a failure naming {@code spec} when it has not returned within the timeout. */
    <T> T call(String spec, Callable<T> call) throws Exception {
        return call(spec, "", call);
    }

    /**
     * As {@link #call(String, Callable)}; {@code whenUnanswered} is added to the timeout's message, to say what the
     * user cannot know (whether a cancel happened).
     */
    <T> T call(String spec, String whenUnanswered, Callable<T> call) throws Exception {
        if (unanswering.contains(spec)) {
            throw unanswered(spec, timeout, whenUnanswered);
        }
        Future<T> result = callers.submit(call);
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            unanswering.add(spec);
            throw unanswered(spec, timeout, whenUnanswered);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof java.io.IOException io) {
                throw CanopyCli.lost(spec, io); // what could not connect says so itself: this broke after
            }
            if (e.getCause() instanceof java.lang.reflect.UndeclaredThrowableException u
                    && u.getCause() instanceof java.io.IOException io) {
                throw CanopyCli.lost(spec, io); // the same, through an MXBean proxy, whose methods declare none
            }
            throw rethrown(e);
        } catch (InterruptedException e) {
            result.cancel(true);
            throw e;
        }
    }

    /**
     * Closes {@code connection} to {@code spec} as a call (closing a JMX connection is a call into the target too,
     * and one that stopped answering would hold the command), ignoring any failure: the connection goes with this
     * process anyway.
     */
    void closeQuietly(String spec, AutoCloseable connection) {
        try {
            call(spec, () -> {
                connection.close();
                return null;
            });
        } catch (Exception ignored) {
            // the target went away or stopped answering
        }
    }

    /** The failure of a target that did not answer within {@code timeout}. */
    static Target.Failure unanswered(String spec, Duration timeout, String whenUnanswered) {
        return new Target.Failure(spec + " did not answer within " + CanopyCli.human(timeout)
                + " (is the JVM stopped or paused?)" + whenUnanswered + "; --timeout sets how long to wait", 1);
    }

    /** What the call threw, as it threw it. */
    static Exception rethrown(ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception ex) {
            return ex;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return e;
    }

    @Override
    public void close() {
        callers.shutdownNow();
    }
}
