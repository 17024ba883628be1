package dev.canopy;

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
        private String lastFingerprint;
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
                if (lastFingerprint != null && now - lastPublishedNanos < interval.toNanos()) {
                    return; // the next tick looks again
                }
                Status status = tree.status();
                String fingerprint = fingerprint(status);
                polls.incrementAndGet();
                if (!fingerprint.equals(lastFingerprint)) {
                    lastFingerprint = fingerprint;
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

    /** What a status shows, without the parts that change by themselves (times, system metrics). */
    static String fingerprint(Status s) {
        StringBuilder b = new StringBuilder(1024);
        java.util.ArrayDeque<ContextStatus> pending = new java.util.ArrayDeque<>();
        pending.push(s.root());
        while (!pending.isEmpty()) {
            ContextStatus c = pending.pop();
            b.append('{').append(c.id()).append(c.state()).append(c.ended()).append(c.data()).append(c.metrics())
                    .append(c.totals()).append(c.live()).append(c.omittedDescendants());
            c.operations().forEach(o -> b.append(o.name()).append(';'));
            c.children().forEach(pending::push);
            b.append('}');
        }
        for (LockSnapshot l : s.locks()) {
            b.append('L').append(l.id()).append(l.permits());
            l.holders().forEach(h -> b.append('h').append(h.contextId()).append(h.mode()).append(h.count()));
            l.waiters().forEach(w -> b.append('w').append(w.contextId()).append(w.mode()).append(w.permits()));
        }
        s.counters().forEach(c -> b.append('C').append(c.key()).append(c.total()).append('/').append(c.live()));
        s.warnings().forEach(w -> b.append('W').append(w.kind()).append(w.contextPath()).append(w.lockName()));
        s.deadlocks().forEach(d -> b.append('D').append(d.describe()));
        s.recentCompletions().forEach(r -> b.append('R').append(r.id()));
        return b.toString();
    }
}
