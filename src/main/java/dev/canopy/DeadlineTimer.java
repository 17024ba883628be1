package dev.canopy;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** One daemon timer thread for every deadline (and counter sampling) in the JVM, started on first use. */
final class DeadlineTimer {
    private DeadlineTimer() {
    }

    private static final class Holder {
        static final ScheduledThreadPoolExecutor TIMER = create();

        private static ScheduledThreadPoolExecutor create() {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "canopy-deadlines");
                t.setDaemon(true);
                return t;
            });
            // contexts that end before their deadline must not stay referenced by the queue
            timer.setRemoveOnCancelPolicy(true);
            return timer;
        }
    }

    static ScheduledFuture<?> scheduleAtFixedRate(Runnable action, long periodNanos) {
        return Holder.TIMER.scheduleAtFixedRate(action, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    static ScheduledFuture<?> schedule(Runnable action, long delayNanos) {
        return Holder.TIMER.schedule(action, delayNanos, TimeUnit.NANOSECONDS);
    }
}
