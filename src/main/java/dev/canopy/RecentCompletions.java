package dev.canopy;

import dev.canopy.status.CompletedContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/** A bounded ring of the last persisted completions; writers never block each other or readers. */
final class RecentCompletions {
    private final AtomicReferenceArray<CompletedContext> ring;
    private final AtomicLong written = new AtomicLong();

    RecentCompletions(int capacity) {
        ring = new AtomicReferenceArray<>(capacity);
    }

    void add(CompletedContext completed) {
        if (ring.length() == 0) {
            return;
        }
        long slot = written.getAndIncrement();
        ring.set((int) (slot % ring.length()), completed);
    }

    /** Newest first. */
    List<CompletedContext> snapshot() {
        int capacity = ring.length();
        long end = written.get();
        int n = (int) Math.min(end, capacity);
        List<CompletedContext> out = new ArrayList<>(n);
        for (long i = end - 1; i >= end - n; i--) {
            CompletedContext c = ring.get((int) (i % capacity));
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }
}
