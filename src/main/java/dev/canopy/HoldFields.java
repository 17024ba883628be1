package dev.canopy;

import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * The fields of a {@link HolderSlot} that every hold writes, declared in a class of their own only so that they are
 * laid out first, right after the lock word and the owner thread (a JVM lays out a superclass's fields before a
 * subclass's, and otherwise puts references after all {@code long}s). Together with those they span 44 bytes (with
 * compressed references, the reference filling the gap after the lock word), so a hold dirties one or two cache
 * lines, and a hand-over moves no more than that between cores; declared in {@code HolderSlot} they spread over more
 * than 64 bytes, two or three lines. The statistics rarely written and the listeners' fields come after.
 */
abstract class HoldFields extends AbstractQueuedSynchronizer {
    private static final long serialVersionUID = 1L;
    /** Every hold the slot has recorded: acquisitions and wake-ups from a condition wait alike. */
    transient long holds;
    transient long holderSince;
    transient long totalHoldNanos;
    /** The context of the hold now recorded; null when the slot is empty. */
    transient Context holderContext;
}
