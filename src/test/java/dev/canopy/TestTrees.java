package dev.canopy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

public final class TestTrees {
    public static final Duration WAIT = Duration.ofSeconds(10);

    private TestTrees() {
    }

    /** Waits for a condition that another thread makes true, failing after {@link #WAIT}. */
    public static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Object monitor = new Object();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            synchronized (monitor) {
                monitor.wait(1); // a bounded poll; the condition is the test, not the time
            }
        }
    }

    /** Open contexts the tree holds only weakly (leak detection): tests keep those they look at later. */
    private static final java.util.List<Context> KEPT = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    public static Context keep(Context c) {
        KEPT.add(c);
        return c;
    }

    public static void awaitEnded(Context c) throws Exception {
        c.ended().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    public static boolean isVirtual(Thread t) {
        try {
            return (boolean) Thread.class.getMethod("isVirtual").invoke(t);
        } catch (NoSuchMethodException e) {
            return false;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
