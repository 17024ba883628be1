package dev.canopy;

import dev.canopy.spi.LockView;
import dev.canopy.spi.TreeListener;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /** Hears holds: attaches {@code name + "#" + n} to its n-th hold and keeps what each end brought back. */
    private static final class RecordingHoldListener implements TreeListener {
        final String name;
        final boolean fails;
        final List<Object> ended = new ArrayList<>();
        int started;

        RecordingHoldListener(String name, boolean fails) {
            this.name = name;
            this.fails = fails;
        }

        @Override
        public Object lockHoldStarted(LockView lock, Context holder, LockMode mode) {
            if (fails) {
                throw new IllegalStateException("listener " + name + " fails");
            }
            return name + "#" + ++started;
        }

        @Override
        public void lockHoldEnded(LockView lock, Context holder, LockMode mode, Object attachment) {
            ended.add(attachment);
        }
    }

    /** Two holds through {@code chain}, ended in the reverse order of their starts. */
    private static void twoNestedHolds(ListenerChain chain) {
        try (ContextTree tree = ContextTree.builder().rootName("chain").build()) {
            NamedLock lock = tree.root().mutex("m");
            Object first = chain.lockHoldStarted(lock, tree.root(), LockMode.EXCLUSIVE);
            Object second = chain.lockHoldStarted(lock, tree.root(), LockMode.EXCLUSIVE);
            chain.lockHoldEnded(lock, tree.root(), LockMode.EXCLUSIVE, second);
            chain.lockHoldEnded(lock, tree.root(), LockMode.EXCLUSIVE, first);
        }
    }

    @Test
    void aSingleHoldListenerAmongOthersGetsBackWhatItAttached() {
        RecordingHoldListener holds = new RecordingHoldListener("a", false);
        twoNestedHolds(ListenerChain.EMPTY.with(contextsOnly()).with(holds).with(contextsOnly()));
        assertEquals(List.of("a#2", "a#1"), holds.ended);
    }

    @Test
    void eachOfSeveralHoldListenersGetsBackWhatItAttached() {
        RecordingHoldListener a = new RecordingHoldListener("a", false);
        RecordingHoldListener b = new RecordingHoldListener("b", false);
        twoNestedHolds(ListenerChain.EMPTY.with(a).with(contextsOnly()).with(b));
        assertEquals(List.of("a#2", "a#1"), a.ended);
        assertEquals(List.of("b#2", "b#1"), b.ended);
    }

    @Test
    void aHoldListenerThatFailsToAttachIsToldTheEndWithNothingAndOthersKeepTheirs() {
        RecordingHoldListener failing = new RecordingHoldListener("f", true);
        RecordingHoldListener a = new RecordingHoldListener("a", false);
        twoNestedHolds(ListenerChain.EMPTY.with(failing).with(a));
        assertEquals(java.util.Arrays.asList(null, null), failing.ended);
        assertEquals(List.of("a#2", "a#1"), a.ended);
        RecordingHoldListener alone = new RecordingHoldListener("g", true);
        twoNestedHolds(ListenerChain.EMPTY.with(contextsOnly()).with(alone));
        assertEquals(java.util.Arrays.asList(null, null), alone.ended);
    }
}
