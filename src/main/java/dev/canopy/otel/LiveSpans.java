package dev.canopy.otel;

import dev.canopy.Context;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Canopy context of each live span, by span identity. A span offers no place of its own for a processor's
 * state, so this map holds it; the span is held weakly, so a span dropped without {@code end()} does not pin its
 * context forever: the context becomes unreachable, and Canopy reports it as a leak like any context never closed.
 */
final class LiveSpans {
    private final ConcurrentHashMap<Object, Context> contexts = new ConcurrentHashMap<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

    void put(Object span, Context context) {
        expungeCollected();
        contexts.put(new WeakKey(span, collected), context);
    }

    Context get(Object span) {
        return contexts.get(new Lookup(span));
    }

    Context remove(Object span) {
        return contexts.remove(new Lookup(span));
    }

    int size() {
        expungeCollected();
        return contexts.size();
    }

    private void expungeCollected() {
        for (Reference<?> r; (r = collected.poll()) != null; ) {
            contexts.remove(r);
        }
    }

    /** A stored key: equal to a {@link Lookup} of the same span, and to itself (for expunging once collected). */
    private static final class WeakKey extends WeakReference<Object> {
        private final int hash;

        WeakKey(Object span, ReferenceQueue<Object> queue) {
            super(span, queue);
            this.hash = System.identityHashCode(span);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) {
                return true;
            }
            Object span = get();
            return span != null && o instanceof Lookup l && l.span == span;
        }
    }

    /** A short-lived key to find a span's entry; the map compares it to stored keys, never stores it. */
    private static final class Lookup {
        private final Object span;

        Lookup(Object span) {
            this.span = span;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(span);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof WeakKey k && k.get() == span;
        }
    }
}
