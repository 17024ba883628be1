package dev.canopy;

import dev.canopy.spi.LockView;
import dev.canopy.spi.TreeListener;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whether a hold is announced, asked of one hold listener and of several (the chain answers the two cases by
 * different paths, the first on every first acquisition of a named lock in a tree with only the JFR listener).
 */
class ListenerChainTest {

    /** Hears holds, and answers {@code wantsLockHolds()} with what it is given (or throws). */
    private static TreeListener holdListener(Boolean wants) {
        return new TreeListener() {
            @Override
            public boolean wantsLockHolds() {
                if (wants == null) {
                    throw new IllegalStateException("cannot say");
                }
                return wants;
            }

            @Override
            public Object lockHoldStarted(LockView lock, Context holder, LockMode mode) {
                return null;
            }
        };
    }

    /** Hears contexts only: never asked about holds. */
    private static TreeListener contextsOnly() {
        return new TreeListener() {
            @Override
            public Object contextStarted(Context context, Object parentAttachment) {
                return null;
            }
        };
    }

    @Test
    void withNoHoldListenerNoHoldIsWanted() {
        assertFalse(ListenerChain.EMPTY.wantsLockHoldNow());
        assertFalse(ListenerChain.EMPTY.with(contextsOnly()).wantsLockHoldNow());
    }

    @Test
    void aSingleHoldListenerDecides() {
        assertTrue(ListenerChain.EMPTY.with(holdListener(true)).wantsLockHoldNow());
        assertFalse(ListenerChain.EMPTY.with(holdListener(false)).wantsLockHoldNow());
        assertFalse(ListenerChain.EMPTY.with(contextsOnly()).with(holdListener(false)).wantsLockHoldNow());
        assertTrue(ListenerChain.EMPTY.with(holdListener(true)).with(contextsOnly()).wantsLockHoldNow());
    }

    @Test
    void anyOfSeveralHoldListenersMakesTheHoldWanted() {
        assertFalse(ListenerChain.EMPTY.with(holdListener(false)).with(holdListener(false)).wantsLockHoldNow());
        assertTrue(ListenerChain.EMPTY.with(holdListener(false)).with(holdListener(true)).wantsLockHoldNow());
        assertTrue(ListenerChain.EMPTY.with(holdListener(true)).with(holdListener(false)).wantsLockHoldNow());
    }

    @Test
    void aHoldListenerThatCannotSayIsTold() {
        assertTrue(ListenerChain.EMPTY.with(holdListener(null)).wantsLockHoldNow());
        assertTrue(ListenerChain.EMPTY.with(holdListener(false)).with(holdListener(null)).wantsLockHoldNow());
    }
}
