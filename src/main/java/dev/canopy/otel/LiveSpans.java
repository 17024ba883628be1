package dev.canopy.otel;

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

    LiveSpan get(Object span) {
        return spans.get(new Lookup(span));
    }

    LiveSpan remove(Object span) {
        return spans.remove(new Lookup(span));
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

        Lookup(Object span) {
            this.span = span;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(span);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LiveSpan k && k.get() == span;
        }
    }
}
