package dev.canopy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A tree's counts of contexts created and ended, written where they are cheapest.
 *
 * <p>Why not just {@link LongAdder}s: counting a context's creation and its end cost two atomic operations, about a
 * sixth of a plain child's open and close. A thread that keeps creating contexts in one tree (a worker of a pool)
 * gets a {@link Cell} of its own after {@link #USES_BEFORE_CELL} contexts: only that thread writes it, with plain
 * stores, and readers sum the cells. Every other count (a thread's first contexts, a short-lived or virtual thread,
 * a thread's second tree) goes to the adders, so a thread that creates a few contexts and ends registers nothing.
 *
 * <p>Cells of ended threads are folded into {@code retired} and dropped when the cells have doubled since the last
 * sweep, and whenever the counts are read. Reading and folding hold this object's monitor, so a count never shows
 * twice or not at all while it moves; a thread has ended before its cell is folded, so its last counts are there.
 */
final class TreeCounts {
    /** Contexts a thread counts through the adders before it gets a cell (in the first tree it reaches this in). */
    static final int USES_BEFORE_CELL = 64;
    private static final AtomicInteger TREE_IDS = new AtomicInteger();

    static final int CREATED = 0;
    static final int COMPLETED = 1;
    static final int FAILED = 2;
    static final int CANCELLED = 3;

    /** Never 0, which a thread's {@link ThreadIds#countingTree} means "none yet". */
    final int treeId = TREE_IDS.incrementAndGet();
    private final LongAdder[] adders = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};
    private final ConcurrentLinkedQueue<Cell> cells = new ConcurrentLinkedQueue<>();
    private final AtomicInteger cellCount = new AtomicInteger();
    /** Guarded by this: counts of cells whose threads ended. */
    private final long[] retired = new long[4];
    /** How many cells the last sweep left; written under this object's monitor. */
    private volatile int cellsAfterSweep;

    /**
     * One thread's counts in one tree: written only by that thread. The four counts sit in the middle of a padded
     * array: the tree's queue keeps every cell, so a collection copies the cells of busy threads side by side, and
     * unpadded, two threads' counts would share a cache line (as the child set's stripes did).
     */
    static final class Cell {
        private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
        /** Eight longs, a cache line, on each side of the counts. */
        private static final int PAD = 8;

        final WeakReference<Thread> owner;
        private final long[] counts = new long[PAD + 4 + PAD];

        Cell(Thread owner) {
            this.owner = new WeakReference<>(owner);
        }

        /** By the owner only: a plain add, stored opaquely so a reader never sees a torn value. */
        void add(int which) {
            COUNTS.setOpaque(counts, PAD + which, counts[PAD + which] + 1);
        }

        long get(int which) {
            return (long) COUNTS.getOpaque(counts, PAD + which);
        }

        boolean ownerEnded() {
            Thread t = owner.get();
            return t == null || !t.isAlive();
        }
    }

    /** Counts one context created ({@link #CREATED}) or ended as {@code which}, on the calling thread. */
    void count(int which, ThreadIds ids) {
        Cell own = ids.countingTree == treeId ? ids.countingCell : null;
        if (own != null) {
            own.add(which);
            return;
        }
        adders[which].increment();
        if (ids.countingTree == 0 && ++ids.adderUses >= USES_BEFORE_CELL) {
            register(ids);
        }
    }

    private void register(ThreadIds ids) {
        Cell cell = new Cell(Thread.currentThread());
        ids.countingCell = cell;
        ids.countingTree = treeId;
        cells.add(cell);
        if (cellCount.incrementAndGet() >= 2 * cellsAfterSweep + 16) {
            synchronized (this) {
                sweep();
            }
        }
    }

    /** Folds the cells of ended threads into {@link #retired}; the caller holds this object's monitor. */
    private void sweep() {
        int left = 0;
        for (Iterator<Cell> it = cells.iterator(); it.hasNext(); ) {
            Cell cell = it.next();
            if (cell.ownerEnded()) {
                for (int i = 0; i < retired.length; i++) {
                    retired[i] += cell.get(i);
                }
                it.remove();
                cellCount.decrementAndGet();
            } else {
                left++;
            }
        }
        cellsAfterSweep = left;
    }

    /** How many threads count with a cell of their own now (cells of ended threads go at the next sweep). */
    int cellCount() {
        return cellCount.get();
    }

    /** The four counts, in the order of the constants above. */
    synchronized long[] read() {
        sweep();
        long[] out = new long[4];
        for (int i = 0; i < out.length; i++) {
            out[i] = adders[i].sum() + retired[i];
        }
        for (Cell cell : cells) {
            for (int i = 0; i < out.length; i++) {
                out[i] += cell.get(i);
            }
        }
        return out;
    }
}
