package dev.canopy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a thread needs to create contexts without shared writes: its block of context ids (unique in the JVM) and its
 * stripe of a parent's {@link ChildSet}. Ids are handed out in blocks so threads creating contexts never write one
 * shared counter; stripes go round the threads in the order they first create a context, so two busy threads land in
 * different stripes.
 */
final class ThreadIds {
    private static final AtomicLong IDS = new AtomicLong();
    private static final int ID_BLOCK = 1024;
    private static final AtomicInteger THREADS_SEEN = new AtomicInteger();
    private static final ThreadLocal<ThreadIds> OF_THREAD = ThreadLocal.withInitial(
            () -> new ThreadIds((byte) (THREADS_SEEN.getAndIncrement() & ChildSet.MASK)));

    final byte stripe;
    private long next;
    private long end;
    /** The {@link TreeCounts#treeId} this thread counts contexts into with a cell of its own; 0 while none. */
    int countingTree;
    TreeCounts.Cell countingCell;
    /** Contexts counted through a tree's shared adders, until a cell is worth having. */
    int adderUses;

    private ThreadIds(byte stripe) {
        this.stripe = stripe;
    }

    /** The current thread's. */
    static ThreadIds current() {
        return OF_THREAD.get();
    }

    long next() {
        if (next == end) {
            long start = IDS.getAndAdd(ID_BLOCK);
            next = start + 1;
            end = start + 1 + ID_BLOCK;
        }
        return next++;
    }
}
