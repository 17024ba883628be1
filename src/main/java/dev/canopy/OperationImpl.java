package dev.canopy;

import dev.canopy.status.OperationInfo;

import java.time.Duration;
import java.time.Instant;

/** An operation registered on its context until closed. */
final class OperationImpl implements Operation {
    private final Context context;
    private final String name;
    private final long sinceNanos;
    private volatile boolean closed;

    OperationImpl(Context context, String name, long sinceNanos) {
        this.context = context;
        this.name = name;
        this.sinceNanos = sinceNanos;
    }

    @Override
    public String name() {
        return name;
    }

    long sinceNanos() {
        return sinceNanos;
    }

    @Override
    public Instant since() {
        return context.tree.instantAt(sinceNanos);
    }

    @Override
    public Duration duration() {
        return Duration.ofNanos(Math.max(0, context.tree.clock.nanoTime() - sinceNanos));
    }

    OperationInfo info(long nowNanos) {
        return new OperationInfo(name, since(), Duration.ofNanos(Math.max(0, nowNanos - sinceNanos)));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            context.endOperation(this);
        }
    }

    @Override
    public String toString() {
        return "Operation[" + name + " in " + context.path() + "]";
    }
}
