package dev.canopy.bench.peers;

import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * The bare processor beside which the bridge and the export are measured: called at start and end like an
 * exporting processor, it does nothing, so no exporter's cost is in the numbers.
 */
final class DoNothingProcessor implements SpanProcessor {
    @Override
    public void onStart(io.opentelemetry.context.Context ctx, ReadWriteSpan span) {
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }
}
