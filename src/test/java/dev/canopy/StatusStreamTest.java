package dev.canopy;

import dev.canopy.status.Status;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.canopy.TestTrees.WAIT;
import static dev.canopy.TestTrees.awaitTrue;
import static org.junit.jupiter.api.Assertions.*;

class StatusStreamTest {
    private final ContextTree tree = ContextTree.create();
    private final Context global = tree.root();

    @AfterEach
    void closeTree() {
        tree.close();
    }

    /** Collects what it is sent, requesting as the test says. */
    static final class Collector implements Flow.Subscriber<Status> {
        final LinkedBlockingQueue<Status> received = new LinkedBlockingQueue<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        volatile StatusPublisher.Subscription subscription;
        private final long initialRequest;

        Collector(long initialRequest) {
            this.initialRequest = initialRequest;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = (StatusPublisher.Subscription) s;
            if (initialRequest > 0) {
                s.request(initialRequest);
            }
        }

        @Override
        public void onNext(Status item) {
            received.add(item);
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
        }

        @Override
        public void onComplete() {
        }

        Status next() throws InterruptedException {
            Status s = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(s, "no status arrived");
            return s;
        }

        /** Lets {@code n} more polls happen, which must all find nothing new. */
        void idleFor(int n) throws InterruptedException {
            long from = subscription.polls();
            awaitTrue(n + " more polls", () -> subscription.polls() >= from + n || !received.isEmpty());
            assertTrue(received.isEmpty(), "published while nothing changed");
        }
    }

    @Test
    void publishesTheCurrentStateThenExactlyTheChanges() throws Exception {
        Collector c = new Collector(Long.MAX_VALUE);
        tree.statusStream(Duration.ofMillis(20)).subscribe(c);
        assertTrue(c.next().root().children().isEmpty());

        Context svc = global.child("svc").open();
        assertEquals("svc", c.next().root().children().get(0).name());

        svc.incrementTotal("requests");
        assertEquals(1, c.next().counters().get(0).total());

        NamedLock lock = svc.mutex("l");
        try (Held h = lock.acquire()) {
            assertEquals(1, c.next().activeLocks().size());
        }
        assertTrue(c.next().activeLocks().isEmpty());

        // time passing alone changes durations, which is no change worth publishing
        c.idleFor(5);
        c.subscription.cancel();
    }

    @Test
    void backPressureIsHonoured() throws Exception {
        Collector c = new Collector(1);
        tree.statusStream(Duration.ofMillis(10)).subscribe(c);
        c.next();
        TestTrees.keep(global.child("a").open());
        TestTrees.keep(global.child("b").open());
        // no demand: polls stop too, and nothing is sent
        long polls = c.subscription.polls();
        TestTrees.keep(global.child("c").open());
        assertNull(c.received.poll(100, TimeUnit.MILLISECONDS));
        assertEquals(polls, c.subscription.polls(), "no demand, no work");
        c.subscription.request(1);
        Status latest = c.next();
        assertEquals(3, latest.root().children().size(), "the latest state, not a backlog");
        c.subscription.cancel();
    }

    @Test
    void cancellingStopsAllWork() throws Exception {
        Collector c = new Collector(Long.MAX_VALUE);
        tree.statusStream(Duration.ofMillis(10)).subscribe(c);
        c.next();
        c.subscription.cancel();
        long polls = c.subscription.polls();
        TestTrees.keep(global.child("after-cancel").open());
        assertNull(c.received.poll(100, TimeUnit.MILLISECONDS));
        assertEquals(polls, c.subscription.polls());
    }

    @Test
    void aBadRequestEndsTheSubscriptionWithAnError() throws Exception {
        Collector c = new Collector(0);
        tree.statusStream(Duration.ofMillis(10)).subscribe(c);
        c.subscription.request(0);
        assertInstanceOf(IllegalArgumentException.class, c.error.get());
        assertThrows(IllegalArgumentException.class, () -> tree.statusStream(Duration.ZERO));
    }
}
