package dev.canopy;

import dev.canopy.status.Status;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes a tree's {@link Status} to each subscriber when something it shows changed — a context, a lock, a
 * counter, a warning — at most once per interval, and nothing while idle. Durations and system metrics alone do not
 * count as change. Each subscription polls only while it has demand, and stops all work when cancelled.
 */
final class StatusPublisher implements Flow.Publisher<Status> {
    private final ContextTree tree;
    private final Duration interval;

    StatusPublisher(ContextTree tree, Duration interval) {
        this.tree = tree;
        this.interval = interval;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Status> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        new Subscription(subscriber).start();
    }

    final class Subscription implements Flow.Subscription {
        private final Flow.Subscriber<? super Status> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private final AtomicBoolean polling = new AtomicBoolean();
        private final AtomicLong polls = new AtomicLong();
        private volatile boolean cancelled;
        private volatile ScheduledFuture<?> ticker;
        private Status lastPublished;
        private long lastPublishedNanos;

        Subscription(Flow.Subscriber<? super Status> subscriber) {
            this.subscriber = subscriber;
        }

        void start() {
            subscriber.onSubscribe(this);
            if (!cancelled) {
                ticker = DeadlineTimer.scheduleAtFixedRate(this::handOver, interval.toNanos());
                if (cancelled) {
                    ticker.cancel(false);
                }
            }
        }

        /** Polls that looked for a change (tests wait on this instead of on time). */
        long polls() {
            return polls.get();
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                subscriber.onError(new IllegalArgumentException("request must be positive (Reactive Streams §3.9): " + n));
                return;
            }
            demand.getAndUpdate(d -> d + n < 0 ? Long.MAX_VALUE : d + n);
            handOver();
        }

        @Override
        public void cancel() {
            cancelled = true;
            ScheduledFuture<?> t = ticker;
            if (t != null) {
                t.cancel(false);
            }
        }

        /** Runs the poll on the tree's executor: the timer thread only keeps time. */
        private void handOver() {
            if (cancelled || demand.get() == 0) {
                return;
            }
            try {
                tree.executor().execute(this::poll);
            } catch (RejectedExecutionException e) {
                poll();
            }
        }

        private void poll() {
            if (!polling.compareAndSet(false, true)) {
                return; // one poll at a time: onNext is never called concurrently
            }
            try {
                if (cancelled || demand.get() == 0) {
                    return;
                }
                long now = System.nanoTime();
                if (lastPublished != null && now - lastPublishedNanos < interval.toNanos()) {
                    return; // the next tick looks again
                }
                Status status = tree.status();
                
                polls.incrementAndGet();
                if (lastPublished == null || !status.sameContentAs(lastPublished)) {
                    lastPublished = status;
                    lastPublishedNanos = now;
                    demand.decrementAndGet();
                    subscriber.onNext(status);
                }
            } catch (Throwable t) {
                cancel();
                subscriber.onError(t);
            } finally {
                polling.set(false);
            }
        }
    }
}
