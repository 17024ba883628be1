package dev.canopy.jfr;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one thread that commits what Canopy emits when a recording starts, stops or begins a chunk (the contexts that
 * existed, locks held and waited, warnings, counters), on JDK 17 to 20.
 *
 * <p>Why: on those JDKs, JFR keeps a cache of string ids (strings of 17 to 127 characters seen twice) across
 * recordings, and clears it only when a thread that had committed before a chunk began commits again. A thread's
 * first commit after that, with the cache not yet cleared, writes ids whose strings the new chunk never gets: the
 * event's path or warning kind reads back as {@code null} ({@code N/A} in {@code jfr print}). These hooks run on the
 * thread that starts or stops the recording, and over JMX ({@code canopy record}, JDK Mission Control) that is
 * often a new RMI connection thread committing for the first time. Committing them on one long-lived thread instead
 * means a thread whose writer predates the chunk commits first, which clears the cache for every thread. JDK 21 and
 * later tell stale ids apart by generation: there, hooks commit where they run, as before.
 */
final class EmitterThread {
    /** The JDKs whose string cache is cleared only as above. */
    static final boolean NEEDED = Runtime.version().feature() < 21;

    private static volatile ExecutorService emitter;
    private static volatile Thread thread;

    private EmitterThread() {
    }

    /** {@code emission} wrapped to run on the emitter thread where that is {@link #NEEDED}, else as it is. */
    static Runnable onEmitter(Runnable emission) {
        return NEEDED ? () -> run(emission) : emission;
    }

    /** Runs {@code emission} on the emitter thread and waits for it (at once, when called there). */
    static void run(Runnable emission) {
        if (Thread.currentThread() == thread) {
            emission.run();
            return;
        }
        Future<?> done = emitter().submit(emission);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    done.get();
                    return;
                } catch (InterruptedException e) {
                    // the recording must not move on before the events are in its chunk: wait, keep the interrupt
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ExecutorService emitter() {
        ExecutorService e = emitter;
        if (e == null) {
            synchronized (EmitterThread.class) {
                e = emitter;
                if (e == null) {
                    e = Executors.newSingleThreadExecutor(r -> {
                        // made by whichever thread first runs a hook: take nothing of that thread's (no inherited
                        // thread locals, its priority or its context class loader, which a redeployed web
                        // application would then never release)
                        Thread t = new Thread(null, r, "canopy-jfr-emitter", 0, false);
                        t.setDaemon(true);
                        t.setPriority(Thread.NORM_PRIORITY);
                        t.setContextClassLoader(EmitterThread.class.getClassLoader());
                        thread = t;
                        return t;
                    });
                    emitter = e;
                }
            }
        }
        return e;
    }
}
