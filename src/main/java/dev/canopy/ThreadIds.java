package dev.canopy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thread's own state, read and written by that thread only: its current context ({@link CurrentContext}), and what
 * it needs to create contexts and take semaphore permits without shared writes: its block of context ids (unique in
 * the JVM), its stripe of a parent's {@link ChildSet}, its cell of a tree's {@link TreeCounts}, and its slot of the
 * semaphore it used last. One thread-local lookup finds all of it. Ids are handed out in blocks so threads creating
 * contexts never write one shared counter; stripes go round the threads in the order they first use Canopy, so two
 * busy threads land in different stripes.
 *
 * <p>Each thread writes its own on every context it creates, and the thread-local maps keep them, so a collection
 * may copy two threads' side by side: the fields sit between two cache lines of padding
 * ({@link LinePadding}, and the longs declared here).
 */
final class ThreadIds extends ThreadIdsState {
    private static final AtomicLong IDS = new AtomicLong();
    private static final int ID_BLOCK = 1024;
    private static final AtomicInteger THREADS_SEEN = new AtomicInteger();
    private static final ThreadLocal<ThreadIds> OF_THREAD = ThreadLocal.withInitial(
            () -> new ThreadIds((byte) (THREADS_SEEN.getAndIncrement() & ChildSet.MASK)));

    @SuppressWarnings("unused")
    private long p11, p12, p13, p14, p15, p16, p17, p18;

    private ThreadIds(byte stripe) {
        super(stripe);
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

/** {@link ThreadIds}' fields, declared here so they lie between its two paddings. */
abstract class ThreadIdsState extends LinePadding {
    final byte stripe;
    long next;
    long end;
    /** The {@link TreeCounts#treeId} this thread counts contexts into with a cell of its own; 0 while none. */
    int countingTree;
    TreeCounts.Cell countingCell;
    /** Contexts counted through a tree's shared adders, until a cell is worth having. */
    int adderUses;
    /** The context the thread's code runs in, or null (see {@link CurrentContext}). */
    Context currentContext;
    /**
     * The semaphore the thread used last, and its slot there: the next use of the same semaphore finds the slot
     * without a map lookup, and without reading or writing anything another thread of the semaphore writes (as a
     * "last user" field in the semaphore would). Keeps that semaphore reachable while the thread lives and uses no
     * other; its holds do not keep their contexts.
     */
    NamedSemaphore lastSemaphore;
    PermitSlot lastPermitSlot;

    ThreadIdsState(byte stripe) {
        this.stripe = stripe;
    }
}
