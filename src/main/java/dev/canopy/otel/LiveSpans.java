package dev.canopy.otel;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.trace.ReadableSpan;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link LiveSpan} of each live span, by span identity. A span offers no place of its own for a processor's
 * state, so this map holds it. The entry is its own key and holds the span weakly, so a span dropped without
 * {@code end()} does not pin its context forever: the context becomes unreachable, and Canopy reports it as a leak
 * like any context never closed.
 */
final class LiveSpans {
    private final ConcurrentHashMap<Object, LiveSpan> spans = new ConcurrentHashMap<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

    ReferenceQueue<Object> queue() {
        return collected;
    }

    void put(LiveSpan entry) {
        expungeCollected();
        spans.put(entry, entry);
    }

    LiveSpan get(Span span) {
        return spans.get(new Lookup(span, hashOf(span.getSpanContext())));
    }

    LiveSpan remove(ReadableSpan span) {
        return spans.remove(new Lookup(span, hashOf(span.getSpanContext())));
    }

    /**
     * A span's hash: its id's, which the id string keeps once computed. Not {@code System.identityHashCode}: the
     * span is new, so that would make the JVM generate and install an identity hash in its header, a call into
     * the VM for every span (~12 ns of the bridge here). Equality stays identity ({@link LiveSpan#equals}).
     */
    static int hashOf(SpanContext spanContext) {
        return spanContext.getSpanId().hashCode();
    }

    int size() {
        expungeCollected();
        return spans.size();
    }

    private void expungeCollected() {
        for (Reference<?> r; (r = collected.poll()) != null; ) {
            spans.remove(r);
        }
    }

    /** A short-lived key to find a span's entry; the map compares it to stored keys, never stores it. */
    static final class Lookup {
        final Object span;
        private final int hash;

        Lookup(Object span, int hash) {
            this.span = span;
            this.hash = hash;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LiveSpan k && k.get() == span;
        }
    }
}
