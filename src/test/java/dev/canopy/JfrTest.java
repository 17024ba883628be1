package dev.canopy;

import dev.canopy.jfr.EventNames;

import dev.canopy.jfr.ContextRecording;
import dev.canopy.jfr.JfrTemplates;
import dev.canopy.jfr.RecordedContext;
import dev.canopy.jfr.RecordedLock;
import dev.canopy.jfr.RecordedMoment;
import jdk.jfr.Configuration;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static dev.canopy.TestTrees.WAIT;
import static dev.canopy.TestTrees.awaitTrue;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class JfrTest {
    @TempDir
    Path dir;

    /** Holds the current thread busy for at least {@code d}: a lower bound, not a hope. */
    static void atLeast(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }

    private static List<RecordedEvent> canopyEvents(Path file, String root) throws Exception {
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("dev.canopy."))
                .filter(e -> !e.hasField("path") || e.getString("path").startsWith(root))
                .toList();
    }

    private static List<RecordedEvent> of(List<RecordedEvent> events, String type) {
        return events.stream().filter(e -> e.getEventType().getName().equals(type)).toList();
    }

    private static RecordedEvent one(List<RecordedEvent> events, String type, Predicate<RecordedEvent> which) {
        List<RecordedEvent> found = of(events, type).stream().filter(which).toList();
        assertEquals(1, found.size(), type + ": " + found);
        return found.get(0);
    }

    @Test
    void everyEventTypeIsRecordedWithItsFieldsAndTheTreeRebuilds() throws Exception {
        Path file = dir.resolve("all.jfr");
        ContextTree tree = ContextTree.builder().rootName("jfrtest").deadlockCheckPeriod(Duration.ofMillis(20)).build();
        Context before = tree.root().child("before-recording").open();
        try (Recording r = new Recording(JfrTemplates.debugConfiguration())) {
            r.start();
            Context svc = tree.root().child("svc").withSecret("upstream-token", "tok-9f8e7d").open();
            svc.incrementTotal("requests", 3);
            assertEquals(42, svc.spawnChild("ok", ctx -> 42).join());
            assertThrows(CompletionException.class, () -> svc.spawnChild("boom", ctx -> {
                throw new IllegalStateException("upstream returned 502 for tok-9f8e7d");
            }).join());
            Context doomed = svc.child("doomed").open();
            TestTrees.keep(doomed.child("grandchild").open());
            doomed.cancel("client went away");
            doomed.close();

            NamedLock lock = svc.mutex("output-lock");
            Context holder = svc.child("holder").open();
            try (Scope s = holder.makeCurrent(); Held h = lock.acquire()) {
                Task<Void> waiter = svc.spawnChild("waiter", ctx -> {
                    try (Held w = lock.acquire()) {
                        return null;
                    }
                });
                awaitTrue("waiting", () -> lock.snapshot().waiters().size() == 1);
                atLeast(Duration.ofMillis(20));
                h.close();
                waiter.join();
            }
            // a deadlock, found by the watchdog
            NamedLock a = svc.mutex("a");
            NamedLock b = svc.mutex("b");
            java.util.concurrent.CyclicBarrier both = new java.util.concurrent.CyclicBarrier(2);
            Task<Void> t1 = svc.spawnChild("t1", ctx -> {
                try (Held x = a.acquire()) {
                    both.await();
                    try (Held y = b.acquire()) {
                        return null;
                    }
                }
            });
            Task<Void> t2 = svc.spawnChild("t2", ctx -> {
                try (Held x = b.acquire()) {
                    both.await();
                    try (Held y = a.acquire()) {
                        return null;
                    }
                }
            });
            awaitTrue("deadlock reported", () -> tree.lockRegistry().watchRounds.get() > 0
                    && tree.deadlocks().stream().anyMatch(d -> d.source().equals("CANOPY")));
            long round = tree.lockRegistry().watchRounds.get();
            awaitTrue("watchdog ran after finding it", () -> tree.lockRegistry().watchRounds.get() > round);
            svc.cancel("break it");
            // the first one the cancel reaches stops waiting and releases its lock, so the other may still win the
            // race and finish normally before the cancel reaches it
            int cancelledCount = 0;
            for (Task<Void> t : List.of(t1, t2)) {
                try {
                    t.join();
                } catch (CancellationException expected) {
                    cancelledCount++;
                }
            }
            assertTrue(cancelledCount >= 1);
            TestTrees.awaitEnded(t1.context()); // a cancelled task's future is done at once; its context ends after
            TestTrees.awaitEnded(t2.context());
            before.close();
            r.stop();
            r.dump(file);
        } finally {
            tree.close();
        }

        List<RecordedEvent> events = canopyEvents(file, "jfrtest");
        RecordedEvent existing = one(events, "dev.canopy.ContextStart", e -> e.getString("name").equals("before-recording"));
        assertTrue(existing.getBoolean("existing"));
        RecordedEvent svcStart = one(events, "dev.canopy.ContextStart", e -> e.getString("name").equals("svc"));
        assertFalse(svcStart.getBoolean("existing"));
        assertEquals("jfrtest.svc", svcStart.getString("path"));

        RecordedEvent ok = one(events, "dev.canopy.ContextEnd", e -> e.getString("name").equals("ok"));
        assertEquals("completed", ok.getString("outcome"));
        assertEquals(svcStart.getLong("contextId"), ok.getLong("parentId"));
        assertTrue(ok.getThread().getJavaName().startsWith("canopy-"), "ended on the thread that ran it");
        RecordedEvent boom = one(events, "dev.canopy.ContextEnd", e -> e.getString("name").equals("boom"));
        assertEquals("failed", boom.getString("outcome"));
        assertEquals("upstream returned 502 for <redacted>", boom.getString("message"),
                "the value of a secret of an ancestor, quoted by the exception, stays in the process");
        assertEquals(IllegalStateException.class.getName(), boom.getString("exceptionClass"));
        RecordedEvent doomedEnd = one(events, "dev.canopy.ContextEnd", e -> e.getString("name").equals("doomed"));
        assertEquals("cancelled", doomedEnd.getString("outcome"));
        assertEquals("client went away", doomedEnd.getString("message"));
        assertTrue(doomedEnd.getDuration("lifetime").compareTo(Duration.ZERO) >= 0);
        assertFalse(doomedEnd.getBoolean("existing"), "begun with its context: its duration is the lifetime");
        // created before the recording, ended after the waits below: the event covers only the end, the lifetime
        // field the whole of it
        RecordedEvent beforeEnd = one(events, "dev.canopy.ContextEnd", e -> e.getString("name").equals("before-recording"));
        assertTrue(beforeEnd.getBoolean("existing"));
        assertTrue(beforeEnd.getDuration("lifetime").toMillis() >= 20, "lifetime " + beforeEnd.getDuration("lifetime"));
        assertTrue(beforeEnd.getDuration().compareTo(beforeEnd.getDuration("lifetime")) < 0);

        RecordedEvent cancel = one(events, "dev.canopy.ContextCancel", e -> e.getString("reason").equals("client went away"));
        assertEquals("jfrtest.svc.doomed", cancel.getString("path"));
        assertEquals("jfrtest.svc.doomed", cancel.getString("initiatorPath"));
        assertEquals(2, cancel.getInt("subtreeSize"));

        RecordedEvent wait = one(events, "dev.canopy.LockWait", e -> e.getString("lockName").equals("output-lock"));
        assertEquals("MUTEX", wait.getString("lockKind"));
        assertEquals("EXCLUSIVE", wait.getString("mode"));
        assertEquals("jfrtest.svc.waiter", wait.getString("path"));
        assertEquals("jfrtest.svc.holder", wait.getString("holders"));
        assertTrue(wait.getBoolean("acquired"));
        assertTrue(wait.getDuration().toMillis() >= 20, "waited " + wait.getDuration());
        RecordedEvent hold = of(events, "dev.canopy.LockHold").stream()
                .filter(e -> e.getString("lockName").equals("output-lock") && e.getString("path").equals("jfrtest.svc.holder"))
                .findFirst().orElseThrow();
        assertTrue(hold.getDuration().toMillis() >= 20);

        List<RecordedEvent> deadlocks = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.canopy.Deadlock"))
                .filter(e -> e.getString("cycle").contains("jfrtest.svc.t1")).toList();
        assertEquals(1, deadlocks.size(), "reported once");
        assertEquals(2, deadlocks.get(0).getInt("contexts"));

        List<RecordedEvent> counters = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.canopy.Counter"))
                .filter(e -> e.getString("key").equals("jfrtest.svc.requests")).toList();
        assertFalse(counters.isEmpty());
        assertEquals(3, counters.get(counters.size() - 1).getLong("total"));
        assertTrue(RecordingFile.readAllEvents(file).stream()
                .anyMatch(e -> e.getEventType().getName().equals("dev.canopy.TreeStatistics")
                        && e.getString("root").equals("jfrtest") && e.getLong("created") > 5));

        // metadata done well
        EventType endType = jdk.jfr.FlightRecorder.getFlightRecorder().getEventTypes().stream()
                .filter(t -> t.getName().equals(EventNames.CONTEXT_END)).findFirst().orElseThrow();
        assertEquals("Context End", endType.getLabel());
        assertEquals(List.of("Canopy", "Contexts"), endType.getCategoryNames());
        for (String field : List.of("contextId", "parentId")) {
            assertTrue(endType.getField(field).getAnnotationElements().stream()
                    .anyMatch(a -> a.getTypeName().equals("dev.canopy.ContextId")), field + " is linked");
        }

        // the recording alone rebuilds the exact tree
        ContextRecording rec = ContextRecording.read(file);
        RecordedContext svc = rec.byPath("jfrtest.svc").get(0);
        Map<String, String> children = svc.children().stream()
                .collect(Collectors.toMap(RecordedContext::name, c -> String.valueOf(c.outcome()), (x, y) -> x));
        assertTrue(List.of("cancelled", "completed").contains(children.remove("t1")));
        assertTrue(List.of("cancelled", "completed").contains(children.remove("t2")));
        assertEquals(Map.of("ok", "completed", "boom", "failed", "doomed", "cancelled", "holder", "null",
                "waiter", "completed"), children);
        assertEquals(List.of("grandchild"), rec.byPath("jfrtest.svc.doomed").get(0).children().stream()
                .map(RecordedContext::name).toList());
        assertEquals("jfrtest", rec.byId(svc.parentId()).orElseThrow().name());
        assertTrue(rec.timeline("jfrtest.svc.doomed").stream().anyMatch(t -> t.kind().equals("CANCEL")));
        assertTrue(rec.renderTree().contains("doomed #"), rec.renderTree());
        // lifetimes: the event's own duration when it spans the context, the field when it does not
        assertEquals(doomedEnd.getDuration(), rec.byPath("jfrtest.svc.doomed").get(0).lifetime());
        assertEquals(beforeEnd.getDuration("lifetime"), rec.byPath("jfrtest.before-recording").get(0).lifetime());
    }

    @Test
    void aRecordingShorterThanThePeriodsCarriesCounterAndStatisticsValues() throws Exception {
        // JFR runs a periodic hook up to a whole period after a recording starts, and never at stop or dump. With
        // periods of an hour this recording is certainly shorter than them: every value must come from the chunk
        // boundaries, whatever the machine's speed and whatever earlier recordings left behind.
        Path mid = dir.resolve("mid.jfr");
        Path end = dir.resolve("end.jfr");
        try (ContextTree tree = ContextTree.builder().rootName("short").build();
             Recording r = new Recording(JfrTemplates.canopyConfiguration())) {
            r.enable(EventNames.COUNTER).withPeriod(Duration.ofHours(1));
            r.enable(EventNames.TREE_STATISTICS).withPeriod(Duration.ofHours(1));
            Context svc = tree.root().child("svc").open();
            svc.incrementTotal("requests", 2);
            r.start();
            svc.incrementTotal("requests", 5);
            svc.child("request").open().close();
            r.dump(mid); // a running recording dumped, as jcmd JFR.dump does
            svc.incrementTotal("requests", 1);
            r.stop();
            r.dump(end);
        }
        assertEquals(List.of(2L, 7L), values(mid, EventNames.COUNTER, "key", "short.svc.requests", "total"),
                "at the start, and at the dump");
        List<Long> totals = values(end, EventNames.COUNTER, "key", "short.svc.requests", "total");
        assertEquals(2L, totals.get(0), "at the start: " + totals);
        assertEquals(8L, totals.get(totals.size() - 1), "at the stop: " + totals);
        List<Long> created = values(end, EventNames.TREE_STATISTICS, "root", "short", "created");
        assertEquals(2L, created.get(0), "root and svc at the start: " + created);
        assertEquals(3L, created.get(created.size() - 1), "and the request by the stop: " + created);
        assertEquals(1L, values(end, EventNames.TREE_STATISTICS, "root", "short", "completed")
                .get(created.size() - 1));
    }

    /** Field {@code field} of the events of {@code type} whose {@code key} is {@code value}, oldest first. */
    private static List<Long> values(Path file, String type, String key, String value, String field) throws Exception {
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(type) && e.getString(key).equals(value))
                .sorted(java.util.Comparator.comparing(RecordedEvent::getStartTime))
                .map(e -> e.getLong(field)).toList();
    }

    @Test
    void thresholdsKeepShortWaitsAndHoldsOut() throws Exception {
        Path file = dir.resolve("thresholds.jfr");
        try (ContextTree tree = ContextTree.builder().rootName("thresholds").build();
             Recording r = new Recording(JfrTemplates.canopyConfiguration())) {
            r.start();
            NamedLock lock = tree.root().mutex("l");
            Context quick = tree.root().child("quick").open();
            Context slow = tree.root().child("slow").open();
            try (Scope s = quick.makeCurrent(); Held h = lock.acquire()) {
                // under 10 ms: not recorded
            }
            try (Scope s = slow.makeCurrent(); Held h = lock.acquire()) {
                atLeast(Duration.ofMillis(30));
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> holds = of(canopyEvents(file, "thresholds"), "dev.canopy.LockHold");
        assertEquals(List.of("thresholds.slow"), holds.stream().map(e -> e.getString("path")).toList());
    }

    /**
     * While a recording with holds enabled runs (the JDK's default settings enable them), every hold is timed by JFR,
     * but holds under the threshold allocate nothing: each thread reuses its hold event, and a tree with one hold
     * listener among others keeps that listener's event as the hold's attachment, with no array around it.
     */
    @Test
    void holdsUnderTheThresholdAllocateNothingWhileRecording() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        try (ContextTree tree = ContextTree.builder().rootName("allocation")
                .listener(new dev.canopy.spi.TreeListener() {
                    @Override
                    public Object contextStarted(Context context, Object parentAttachment) {
                        return null; // a second listener, hearing no holds
                    }
                }).build();
             Recording r = new Recording(Configuration.getConfiguration("default"))) {
            r.start();
            NamedLock mutex = tree.root().mutex("m");
            NamedReadWriteLock rw = tree.root().readWriteLock("rw");
            NamedSemaphore semaphore = tree.root().semaphore("s", 4);
            long thread = Thread.currentThread().getId();
            long perHold = Long.MAX_VALUE;
            for (int round = 0; round < 50 && perHold > 0; round++) { // later rounds run compiled
                long before = threads.getThreadAllocatedBytes(thread);
                for (int i = 0; i < 10_000; i++) {
                    mutex.lock();
                    mutex.unlock();
                    rw.readLock().lock();
                    rw.readLock().unlock();
                    semaphore.acquireUninterruptibly();
                    semaphore.release();
                }
                perHold = (threads.getThreadAllocatedBytes(thread) - before) / 30_000;
            }
            assertEquals(0, perHold, "bytes allocated per hold");
            r.stop();
        }
    }

    /**
     * A thread's hold events are reused from hold to hold (a recording with holds enabled allocates none per hold):
     * each recorded hold still carries its own lock, context and timing, nested holds included, and a hold that
     * another thread ends (permits released across threads) leaves the next holds of its thread right.
     */
    @Test
    void eachRecordedHoldCarriesItsOwnLockContextAndTiming() throws Exception {
        Path file = dir.resolve("reused.jfr");
        try (ContextTree tree = ContextTree.builder().rootName("reused").build();
             Recording r = new Recording(JfrTemplates.canopyConfiguration())) {
            r.start();
            NamedLock outerLock = tree.root().mutex("outer-lock");
            NamedLock innerLock = tree.root().mutex("inner-lock");
            NamedSemaphore permits = tree.root().semaphore("permits", 1);
            Context outer = tree.root().child("outer").open();
            Context inner = tree.root().child("inner").open();
            Context after = tree.root().child("after").open();
            Context shared = tree.root().child("shared").open();
            try (Scope s = outer.makeCurrent(); Held h = outerLock.acquire()) {
                atLeast(Duration.ofMillis(15));
                try (Scope s2 = inner.makeCurrent(); Held h2 = innerLock.acquire()) {
                    atLeast(Duration.ofMillis(15));
                }
                try (Scope s2 = inner.makeCurrent(); Held quick = innerLock.acquire()) {
                    // under the threshold: timed, not written
                }
            }
            try (Scope s = shared.makeCurrent()) {
                permits.acquire();
            }
            atLeast(Duration.ofMillis(15));
            Thread releaser = new Thread(() -> {
                try (Scope s = shared.makeCurrent()) {
                    permits.release(); // ends on this thread the hold the test's thread began
                }
            });
            releaser.start();
            releaser.join(WAIT.toMillis());
            assertFalse(releaser.isAlive());
            try (Scope s = after.makeCurrent(); Held h = outerLock.acquire()) {
                atLeast(Duration.ofMillis(15));
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> holds = of(canopyEvents(file, "reused"), "dev.canopy.LockHold");
        assertEquals(List.of("inner-lock reused.inner", "outer-lock reused.outer", "permits reused.shared",
                        "outer-lock reused.after"),
                holds.stream().sorted(java.util.Comparator.comparing(RecordedEvent::getEndTime))
                        .map(e -> e.getString("lockName") + " " + e.getString("path")).toList());
        RecordedEvent outerHold = one(holds, "dev.canopy.LockHold", e -> e.getString("path").equals("reused.outer"));
        RecordedEvent innerHold = one(holds, "dev.canopy.LockHold", e -> e.getString("path").equals("reused.inner"));
        RecordedEvent permitHold = one(holds, "dev.canopy.LockHold", e -> e.getString("path").equals("reused.shared"));
        RecordedEvent afterHold = one(holds, "dev.canopy.LockHold", e -> e.getString("path").equals("reused.after"));
        assertTrue(outerHold.getDuration().toMillis() >= 30, "outer " + outerHold.getDuration());
        assertTrue(innerHold.getDuration().toMillis() >= 15, "inner " + innerHold.getDuration());
        assertFalse(innerHold.getStartTime().isBefore(outerHold.getStartTime()), "inner starts inside outer");
        assertFalse(innerHold.getEndTime().isAfter(outerHold.getEndTime()), "inner ends inside outer");
        assertEquals("PERMIT", permitHold.getString("mode"));
        assertFalse(permitHold.getStartTime().isBefore(outerHold.getEndTime()), "the permit after the outer hold");
        assertTrue(permitHold.getDuration().toMillis() >= 15, "permit " + permitHold.getDuration());
        assertFalse(afterHold.getStartTime().isBefore(permitHold.getEndTime()), "its own start, not a reused one");
        assertTrue(afterHold.getDuration().toMillis() >= 15, "after " + afterHold.getDuration());
    }

    /**
     * A lock stuck while a recording runs: its hold and its waiter are recorded at every chunk boundary (the start,
     * a dump of the running recording, the stop), however short the hold, and the recording's last moment shows them.
     */
    @Test
    void holdsAndWaitsInProgressAtTheStartADumpAndTheStopAreRecorded() throws Exception {
        Path mid = dir.resolve("mid.jfr");
        Path end = dir.resolve("end.jfr");
        try (ContextTree tree = ContextTree.builder().rootName("stuck").build();
             Recording r = new Recording(JfrTemplates.canopyConfiguration())) {
            NamedLock orders = tree.root().mutex("orders");
            NamedSemaphore pool = tree.root().semaphore("pool", 3);
            Context holder = tree.root().child("holder").open();
            try (Scope s = holder.makeCurrent(); Held h = orders.acquire()) { // begun before the recording
                pool.acquire(2);
                r.start();
                Task<Void> waiter = tree.root().spawnChild("waiter", ctx -> {
                    try (Held w = orders.acquire()) {
                        return null;
                    }
                });
                awaitTrue("waiting", () -> orders.waiterCount() == 1);
                r.dump(mid); // a running recording dumped, as jcmd JFR.dump does
                atLeast(Duration.ofMillis(2));
                r.stop();
                r.dump(end);
                pool.release(2);
                h.close();
                waiter.join();
            }
        }
        String thread = Thread.currentThread().getName() + "#" + LockRegistry.threadId(Thread.currentThread());
        for (Path file : List.of(mid, end)) {
            List<RecordedEvent> events = canopyEvents(file, "stuck");
            List<RecordedEvent> holds = of(events, EventNames.LOCK_HOLD_IN_PROGRESS).stream()
                    .filter(e -> e.getString("lockName").equals("orders")).toList();
            assertTrue(holds.size() >= 2, "at the start and at the dump (and at the stop): " + holds);
            for (RecordedEvent e : holds) {
                assertEquals(List.of("MUTEX", "EXCLUSIVE", 1, "stuck.holder", thread),
                        List.of(e.getString("lockKind"), e.getString("mode"), e.getInt("count"), e.getString("path"),
                                e.getString("holderThread")));
                assertEquals(holds.get(0).getLong("since"), e.getLong("since"), "one hold, seen again");
            }
            // by the tree's clock, whose ticker may not have moved between two boundaries on a loaded machine
            assertTrue(holds.get(holds.size() - 1).getLong("heldFor") >= holds.get(0).getLong("heldFor"));
            RecordedEvent permits = of(events, EventNames.LOCK_HOLD_IN_PROGRESS).stream()
                    .filter(e -> e.getString("lockName").equals("pool")).findFirst().orElseThrow();
            assertEquals(List.of("SEMAPHORE", "PERMIT", 2, "stuck.holder"), List.of(permits.getString("lockKind"),
                    permits.getString("mode"), permits.getInt("count"), permits.getString("path")));
            RecordedEvent wait = of(events, EventNames.LOCK_WAIT_IN_PROGRESS).get(0);
            assertEquals(List.of("orders", "EXCLUSIVE", 1, "stuck.waiter", "stuck.holder"),
                    List.of(wait.getString("lockName"), wait.getString("mode"), wait.getInt("permits"),
                            wait.getString("path"), wait.getString("holders")));
        }

        ContextRecording rec = ContextRecording.read(end);
        RecordedMoment last = rec.at(rec.recordingEnd());
        assertEquals(List.of("orders by stuck.holder", "pool by stuck.holder"), last.held().stream()
                .map(l -> l.lockName() + " by " + l.path()).sorted().toList());
        RecordedLock hold = last.held().stream().filter(l -> l.lockName().equals("orders")).findFirst().orElseThrow();
        assertTrue(hold.stillInProgress());
        assertFalse(hold.start().isAfter(rec.recordingStart()), "began before the recording: " + hold);
        assertEquals(List.of("stuck.waiter waiting for orders, held by [stuck.holder]"), last.awaited().stream()
                .map(l -> l.path() + " waiting for " + l.lockName() + ", held by " + l.holderPaths()).toList());
        String drawn = last.render();
        assertTrue(drawn.contains("HOLDS \"orders\" EXCLUSIVE") && drawn.contains("WAITING \"orders\" EXCLUSIVE"),
                drawn);
        assertEquals(2, rec.locks().stream().filter(l -> l.lockName().equals("orders")).count(),
                "each seen several times, listed once: " + rec.locks());
    }

    /** A hold seen in progress at a dump and ended later, over the threshold, is one hold, recorded whole. */
    @Test
    void aHoldSeenInProgressAndRecordedWholeIsListedOnce() throws Exception {
        Path file = dir.resolve("whole.jfr");
        try (ContextTree tree = ContextTree.builder().rootName("whole").build();
             Recording r = new Recording(JfrTemplates.canopyConfiguration())) {
            NamedLock lock = tree.root().mutex("l");
            Context slow = tree.root().child("slow").open();
            r.start();
            try (Scope s = slow.makeCurrent(); Held h = lock.acquire()) {
                r.dump(dir.resolve("during.jfr"));
                atLeast(Duration.ofMillis(15));
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = canopyEvents(file, "whole");
        assertEquals(1, of(events, EventNames.LOCK_HOLD).size());
        List<RecordedEvent> sightings = of(events, EventNames.LOCK_HOLD_IN_PROGRESS);
        assertFalse(sightings.isEmpty(), "seen at the dump: as the chunk ended and as the next began");
        assertTrue(sightings.stream().allMatch(e -> e.getStartTime().isBefore(of(events, EventNames.LOCK_HOLD).get(0)
                .getEndTime())), "and not at the stop: " + sightings);
        List<RecordedLock> locks = ContextRecording.read(file).locks();
        assertEquals(1, locks.size(), locks.toString());
        assertFalse(locks.get(0).stillInProgress());
        assertTrue(locks.get(0).duration().compareTo(Duration.ofMillis(15)) >= 0, locks.toString());
    }

    /** A hold still in progress that followed a recorded wait begins exactly where the wait ended, by JFR's clock. */
    @Test
    void aHoldStillInProgressBeginsWhereItsRecordedWaitEnded() throws Exception {
        Path file = dir.resolve("handover.jfr");
        try (ContextTree tree = ContextTree.builder().rootName("handover").build();
             Recording r = new Recording(JfrTemplates.debugConfiguration())) {
            NamedLock lock = tree.root().mutex("l");
            Context first = tree.root().child("first").open();
            r.start();
            CountDownLatch done = new CountDownLatch(1);
            Task<Void> second;
            try (Scope s = first.makeCurrent(); Held h = lock.acquire()) {
                second = tree.root().spawnChild("second", ctx -> {
                    try (Held w = lock.acquire()) {
                        done.await();
                        return null;
                    }
                });
                awaitTrue("waiting", () -> lock.waiterCount() == 1);
            }
            awaitTrue("second holds it", () -> lock.snapshot().holders().stream()
                    .anyMatch(x -> x.contextPath().equals("handover.second")));
            r.stop();
            r.dump(file);
            done.countDown();
            second.join();
        }
        List<RecordedLock> locks = ContextRecording.read(file).locks().stream()
                .filter(l -> l.path().equals("handover.second")).toList();
        RecordedLock wait = locks.stream().filter(l -> l.kind() == RecordedLock.Kind.WAIT).findFirst().orElseThrow();
        RecordedLock hold = locks.stream().filter(l -> l.kind() == RecordedLock.Kind.HOLD).findFirst().orElseThrow();
        assertTrue(hold.stillInProgress() && !wait.stillInProgress(), locks.toString());
        assertEquals(wait.end(), hold.start(), locks.toString());
    }

    /**
     * A recording started to look into a JVM that is already deadlocked names the cycles, found before it began:
     * among named locks, and among JDK locks, which only the JVM finds.
     */
    @Test
    void aDeadlockFoundBeforeTheRecordingStartedIsInIt() throws Exception {
        Path file = dir.resolve("deadlocked.jfr");
        try (ContextTree tree = ContextTree.builder().rootName("deadlocked").deadlockCheckPeriod(Duration.ofMillis(20))
                .build()) {
            NamedLock a = tree.root().mutex("a");
            NamedLock b = tree.root().mutex("b");
            java.util.concurrent.CyclicBarrier both = new java.util.concurrent.CyclicBarrier(2);
            List<Task<Void>> tasks = List.of(tree.root().spawnChild("t1", ctx -> crossed(a, b, both)),
                    tree.root().spawnChild("t2", ctx -> crossed(b, a, both)));
            awaitTrue("found", () -> tree.deadlocks().stream().anyMatch(d -> d.source().equals("CANOPY")));
            long round = tree.lockRegistry().watchRounds.get();
            awaitTrue("and reported by the watchdog", () -> tree.lockRegistry().watchRounds.get() > round);
            java.util.concurrent.locks.ReentrantLock x = new java.util.concurrent.locks.ReentrantLock();
            java.util.concurrent.locks.ReentrantLock y = new java.util.concurrent.locks.ReentrantLock();
            java.util.concurrent.CyclicBarrier jdkBoth = new java.util.concurrent.CyclicBarrier(2);
            List<Thread> jdkThreads = List.of(new Thread(() -> crossed(x, y, jdkBoth), "jdk-deadlock-1"),
                    new Thread(() -> crossed(y, x, jdkBoth), "jdk-deadlock-2"));
            jdkThreads.forEach(Thread::start);
            awaitTrue("the JVM finds it", () -> tree.deadlocks().stream().anyMatch(d -> d.source().equals("JDK")));
            try (Recording r = new Recording(JfrTemplates.canopyConfiguration())) {
                r.start();
                r.stop();
                r.dump(file);
            } finally {
                for (Thread t : jdkThreads) {
                    t.interrupt(); // lockInterruptibly: the JDK deadlock breaks
                    t.join(WAIT.toMillis());
                    assertFalse(t.isAlive());
                }
            }
            tree.root().cancel("break it");
            for (Task<Void> t : tasks) {
                try {
                    t.join(); // the one the cancel reaches second may get its lock first and finish
                } catch (CancellationException expected) {
                    // stopped waiting
                }
            }
        }
        List<RecordedEvent> deadlocks = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(EventNames.DEADLOCK)
                        && e.getString("cycle").contains("deadlocked.t1")).toList();
        assertEquals(1, deadlocks.size(), deadlocks.toString());
        assertTrue(deadlocks.get(0).getBoolean("existing"));
        assertEquals("CANOPY", deadlocks.get(0).getString("source"));
        List<RecordedEvent> jdk = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(EventNames.DEADLOCK)
                        && e.getString("cycle").contains("jdk-deadlock-1")).toList();
        assertEquals(1, jdk.size(), "once, though every tree reports it: " + jdk);
        assertEquals(List.of("JDK", true, 2), List.of(jdk.get(0).getString("source"), jdk.get(0).getBoolean("existing"),
                jdk.get(0).getInt("contexts")));
        assertEquals(2, deadlocks.get(0).getInt("contexts"));
        assertTrue(deadlocks.get(0).getString("cycle").contains("deadlocked.t2"), deadlocks.toString());
        assertTrue(ContextRecording.read(file).timeline().stream().anyMatch(t -> t.kind().equals("DEADLOCK")
                && t.detail().endsWith("(found before the recording started)")));
    }

    private static void crossed(java.util.concurrent.locks.ReentrantLock first,
                                java.util.concurrent.locks.ReentrantLock second, java.util.concurrent.CyclicBarrier both) {
        try {
            first.lockInterruptibly();
            try {
                both.await();
                second.lockInterruptibly();
                second.unlock();
            } finally {
                first.unlock();
            }
        } catch (InterruptedException | java.util.concurrent.BrokenBarrierException e) {
            // interrupted out of the deadlock
        }
    }

    private static Void crossed(NamedLock first, NamedLock second, java.util.concurrent.CyclicBarrier both)
            throws Exception {
        try (Held x = first.acquire()) {
            both.await();
            try (Held y = second.acquire()) {
                return null;
            }
        }
    }

    /**
     * The JDK's own settings ({@code -XX:StartFlightRecording} without a Canopy template) name no Canopy event, so
     * the events' own defaults apply: no event per context, only contexts that lived 20 ms or more, which a recording
     * alone still places in time.
     */
    @Test
    void theJdksDefaultSettingsRecordOnlyContextsOf20msOrMore() throws Exception {
        Path file = dir.resolve("jdk-default.jfr");
        try (ContextTree tree = ContextTree.builder().rootName("jdkdefault").build();
             Recording r = new Recording(Configuration.getConfiguration("default"))) {
            Context svc = tree.root().child("svc").open();
            r.start();
            for (int i = 0; i < 1_000; i++) {
                svc.child("quick").open().close();
            }
            try (Context slow = svc.child("slow").open()) {
                atLeast(Duration.ofMillis(25));
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = canopyEvents(file, "jdkdefault");
        assertEquals(List.of(), of(events, EventNames.CONTEXT_START), "not even for the contexts already there");
        assertEquals(List.of("jdkdefault.svc.slow"), of(events, EventNames.CONTEXT_END).stream()
                .map(e -> e.getString("path")).toList());
        ContextRecording rec = ContextRecording.read(file);
        assertTrue(rec.renderTree().startsWith("jdkdefault.svc.slow #"), "its parent unrecorded, its path says where "
                + "it belongs: " + rec.renderTree());
        RecordedContext slow = rec.byPath("jdkdefault.svc.slow").get(0);
        assertFalse(slow.existedBefore(), "created while the recording ran");
        assertEquals(slow.start(), slow.created());
        assertTrue(slow.lifetime().compareTo(Duration.ofMillis(25)) >= 0, slow.lifetime().toString());
    }

    /** What status would warn about when the recording stops is in it, and in the tree drawn at its end. */
    @Test
    void theWarningsInEffectWhenTheRecordingStopsAreInIt() throws Exception {
        Path file = dir.resolve("warnings.jfr");
        Duration hour = Duration.ofHours(1);
        WarningThresholds quick = new WarningThresholds(Duration.ofMillis(1), hour, hour, hour, hour, hour);
        try (ContextTree tree = ContextTree.builder().rootName("warned").warningThresholds(quick).build();
             Recording r = new Recording(JfrTemplates.canopyConfiguration())) {
            NamedLock lock = tree.root().mutex("slow-lock");
            Context holder = tree.root().child("holder").open();
            try (Scope s = holder.makeCurrent(); Held h = lock.acquire()) {
                r.start(); // held 0 ms or so: maybe not yet a warning
                atLeast(Duration.ofMillis(20));
                r.stop(); // held 20 ms: a warning
                r.dump(file);
            }
        }
        List<RecordedEvent> warnings = of(canopyEvents(file, "warned"), EventNames.WARNING);
        RecordedEvent last = warnings.get(warnings.size() - 1);
        assertEquals(List.of("WARNING", "LONG_HELD", "warned.holder", "slow-lock"), List.of(last.getString("severity"),
                last.getString("kind"), last.getString("path"), last.getString("lockName")));
        assertTrue(last.getDuration("lasted").compareTo(Duration.ofMillis(1)) > 0, last.toString());

        ContextRecording rec = ContextRecording.read(file);
        RecordedMoment end = rec.at(rec.recordingEnd());
        assertEquals(List.of("LONG_HELD warned.holder"), end.warnings().stream().filter(w -> w.path().startsWith("warned"))
                .map(w -> w.kind() + " " + w.path()).toList());
        assertTrue(end.render().contains("⚠️ Warnings when the recording stopped") && end.render().contains(
                "WARNING LONG_HELD: lock \"slow-lock\" held by warned.holder"), end.render());
        assertEquals(List.of(), rec.at(rec.recordingStart()).warnings(), "only where the recording stopped");
    }

    @Test
    void noCanopyEventWhenTheTemplateDisablesThem() throws Exception {
        Path file = dir.resolve("off.jfr");
        String off = JfrTemplates.canopy().replace("<setting name=\"enabled\" control=\"canopy-contexts\">true",
                        "<setting name=\"enabled\" control=\"canopy-contexts\">false")
                .replace("<setting name=\"enabled\" control=\"canopy-locks\">true", "<setting name=\"enabled\" control=\"canopy-locks\">false")
                .replace("<setting name=\"enabled\" control=\"canopy-counters\">true", "<setting name=\"enabled\" control=\"canopy-counters\">false")
                .replace("<setting name=\"enabled\" control=\"canopy-warnings\">true", "<setting name=\"enabled\" control=\"canopy-warnings\">false");
        try (ContextTree tree = ContextTree.builder().rootName("off").build();
             Recording r = new Recording(Configuration.create(new java.io.StringReader(off)))) {
            r.start();
            Context c = tree.root().child("x").open();
            c.incrementTotal("n");
            try (Held h = c.mutex("m").acquire()) {
                atLeast(Duration.ofMillis(15));
            }
            c.cancel();
            try (Held kept = c.mutex("kept").acquire()) { // held when the recording stops: still not recorded
                r.stop();
            }
            c.close();
            r.dump(file);
        }
        assertEquals(List.of(), RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("dev.canopy.")).toList());
    }

    @Test
    void templatesAreValidAndPackaged() throws Exception {
        assertEquals("10 ms", JfrTemplates.canopyConfiguration().getSettings().get("dev.canopy.LockWait#threshold"));
        assertEquals("0 ms", JfrTemplates.debugConfiguration().getSettings().get("dev.canopy.LockHold#threshold"));
        assertEquals(Files.readString(Path.of("jfr-templates/canopy.jfc")), JfrTemplates.canopy(),
                "the jar carries the same file as the source tree");
        assertTrue(FlightRecorder.isAvailable());
    }

    @Test
    void unreadableRecordingsFailWithTheFileNamed() throws Exception {
        Path junk = dir.resolve("junk.jfr");
        Files.writeString(junk, "not a recording");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> ContextRecording.read(junk));
        assertTrue(e.getMessage().contains("junk.jfr"), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> ContextRecording.read(dir.resolve("missing.jfr")));
    }
}
