package dev.canopy.bridge;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a bridge does when Canopy refuses bridged work (a tree closed or too deep, say): the instrumented code must
 * never see an exception from its observability, so the work is left out of the tree, counted, and the first
 * failure logged (once, so a hot path cannot flood the log).
 */
public final class BridgeFailures {
    private static final AtomicLong COUNT = new AtomicLong();
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    private BridgeFailures() {
    }

    /** Records that {@code what} (e.g. {@code start span "GET"}) failed with {@code e}. */
    public static void report(String what, RuntimeException e) {
        COUNT.incrementAndGet();
        if (LOGGED.compareAndSet(false, true)) {
            System.getLogger(BridgeFailures.class.getName()).log(System.Logger.Level.WARNING,
                    "Canopy bridge: could not " + what + "; such work is left out of the tree (logged once)", e);
        }
    }

    /** How many pieces of bridged work were left out since the JVM started. */
    public static long count() {
        return COUNT.get();
    }
}
