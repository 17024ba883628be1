package dev.canopy;

import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * The fields of a {@link HolderSlot} that every hold writes, declared in a class of their own only so that they are
 * laid out first, right after the lock word and the owner thread (a JVM lays out a superclass's fields before a
 * subclass's, and otherwise puts references after all {@code long}s). Together with those they span 52 bytes (with
 * compressed references, as JOL shows for {@code MutexSync}), so a hold dirties one or two cache lines, and a
 * hand-over moves no more than that between cores; declared in {@code HolderSlot} they spread over 76 bytes, two or
 * three lines. The statistics rarely written and the listeners' fields come after.
 */
abstract class HoldFields extends AbstractQueuedSynchronizer {
    private static final long serialVersionUID = 1L;
    /** Which hold the slot records: its acquisition's number, minus a wake-up's number when negative; 0 if none. */
    transient long stamp;
    transient long holderSince;
    transient long acquisitions;
    transient long totalHoldNanos;
    transient Context holderContext;
}
