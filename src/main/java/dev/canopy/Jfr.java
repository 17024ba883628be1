package dev.canopy;

import dev.canopy.status.Deadlock;
import dev.canopy.status.LeakedContext;

/**
 * The library's only door to JFR. Nothing behind it is loaded unless the runtime has the {@code jdk.jfr} module,
 * and every call is a cheap no-op while no recording enables Canopy's events.
 */
final class Jfr {
    static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent()
            && JfrBridgeLoader.load();

    private Jfr() {
    }

    static void register(ContextTree tree) {
        if (AVAILABLE) {
            JfrBridge.register(tree);
        }
    }

    static void contextCreated(Context context) {
        if (AVAILABLE) {
            JfrBridge.contextCreated(context);
        }
    }

    static void contextEnded(Context context, ContextState outcome, Throwable failure) {
        if (AVAILABLE) {
            JfrBridge.contextEnded(context, outcome, failure);
        }
    }

    static void cancelled(Context context, Cancellation cancellation, int subtreeSize) {
        if (AVAILABLE) {
            JfrBridge.cancelled(context, cancellation, subtreeSize);
        }
    }

    static void holdStarted(Hold hold) {
        if (AVAILABLE) {
            JfrBridge.holdStarted(hold);
        }
    }

    static void holdEnded(LockCore lock, Hold hold) {
        if (AVAILABLE && hold.jfr != null) {
            JfrBridge.holdEnded(lock, hold);
        }
    }

    static Object waitStarted(LockCore lock) {
        return AVAILABLE ? JfrBridge.waitStarted(lock) : null;
    }

    static void waitEnded(Object event, LockCore lock, Waiter waiter, boolean acquired) {
        if (event != null) {
            JfrBridge.waitEnded(event, lock, waiter, acquired);
        }
    }

    static void leak(LeakedContext leak) {
        if (AVAILABLE) {
            JfrBridge.leak(leak);
        }
    }

    static void deadlock(Deadlock deadlock) {
        if (AVAILABLE) {
            JfrBridge.deadlock(deadlock);
        }
    }

    /** Loads the bridge defensively: a runtime whose JFR cannot start must still run Canopy. */
    private static final class JfrBridgeLoader {
        static boolean load() {
            try {
                JfrBridge.init();
                return true;
            } catch (LinkageError | RuntimeException e) {
                System.getLogger(Jfr.class.getName()).log(System.Logger.Level.INFO,
                        "JFR events disabled: " + e);
                return false;
            }
        }
    }
}
