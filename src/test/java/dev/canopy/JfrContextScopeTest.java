package dev.canopy;

import dev.canopy.jfr.EventNames;
import dev.canopy.jfr.JfrTemplates;
import dev.canopy.spi.TreeListener;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import static dev.canopy.TestTrees.WAIT;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The context on the JDK's own events (JDK 25's {@code @jdk.jfr.Contextual}): what an operator reads with
 * {@code jfr print} after recording a service, and that older JDKs pay nothing for it.
 */
class JfrContextScopeTest {
    private static final int FEATURE = Runtime.version().feature();

    @TempDir
    Path dir;

    /** The monitor's class names it in {@code jdk.JavaMonitorEnter}'s {@code monitorClass}. */
    private static final class Ledger {
    }

    @Test
    void jfrPrintShowsTheContextOnSleepsAndMonitorEntersInScopesAndTasks() throws Exception {
        assumeTrue(FEATURE >= 25, "jdk.jfr.Contextual arrived in JDK 25");
        Path file = dir.resolve("context.jfr");
        // The tree leaves scopes last listener first, and listeners given to the builder come before JFR's: once this
        // one has heard a scope end, JFR's listener has committed the scope's event. Needed for tasks, whose join()
        // returns as the body returns, before the scope around it is left.
        Set<Long> scopesLeft = ConcurrentHashMap.newKeySet();
        TreeListener leftScopes = new TreeListener() {
            @Override
            public void scopeExited(Context context, Object attachment) {
                scopesLeft.add(context.id());
            }
        };
        ExecutorService platformThreads = Executors.newSingleThreadExecutor(r -> new Thread(r, "platform-task"));
        Map<String, Long> ids = new LinkedHashMap<>();
        try (ContextTree tree = ContextTree.builder().rootName("ctxjfr").listener(leftScopes).build();
             Recording r = new Recording(JfrTemplates.debugConfiguration())) {
            r.enable("jdk.ThreadSleep").withoutThreshold();
            r.enable("jdk.JavaMonitorEnter").withoutThreshold();
            r.start();
            Context svc = tree.root().child("svc").open();
            Context scoped = svc.child("scoped").open();
            try (Scope s = scoped.makeCurrent()) {
                work(new Ledger());
            }
            ids.put("ctxjfr.svc.scoped", scoped.id());
            // the recorded workload, not a wait: a jdk.ThreadSleep outside any scope, which must carry no context;
            // told apart by its requested time (the event's `time` field), never by how long it took
            Thread.sleep(3);
            // a task body on a platform thread, and one on the tree's default executor: a virtual thread on JDK 21+
            Task<Long> pooled = svc.child("pooled").withExecutor(platformThreads).spawn(ctx -> {
                work(new Ledger());
                return ctx.id();
            });
            Task<Long> virtual = svc.spawnChild("virtual", ctx -> {
                work(new Ledger());
                return ctx.id();
            });
            for (Task<Long> t : List.of(pooled, virtual)) {
                long id = t.join();
                ids.put(t.context().path(), id);
                TestTrees.awaitTrue("the scope of " + t.context().path() + " left", () -> scopesLeft.contains(id));
            }
            scoped.close();
            r.stop();
            r.dump(file);
        } finally {
            platformThreads.shutdownNow();
        }

        // the operator's view: the JDK's own tool, from the JDK running the test
        String printed = DemoProcess.run(List.of(DemoProcess.tool("jfr").toString(), "print", "--events",
                "jdk.ThreadSleep,jdk.JavaMonitorEnter", file.toString()));
        List<String> events = blocks(printed);
        for (Map.Entry<String, Long> scope : ids.entrySet()) {
            String pathLine = "Context: ContextScope.path = \"" + scope.getKey() + "\"";
            String idLine = "Context: ContextScope.contextId = " + scope.getValue();
            String sleep = one(events, e -> e.startsWith("jdk.ThreadSleep") && slept(e, 20) && e.contains(pathLine),
                    printed);
            assertTrue(sleep.contains(idLine), sleep);
            if (scope.getKey().endsWith(".virtual")) {
                // JDK 25 records no jdk.JavaMonitorEnter for a virtual thread that unmounts while it waits
                continue;
            }
            String enter = one(events, e -> e.startsWith("jdk.JavaMonitorEnter")
                    && e.contains("monitorClass = " + Ledger.class.getName()) && e.contains(pathLine), printed);
            assertTrue(enter.contains(idLine), enter);
        }
        String testThread = "eventThread = \"" + Thread.currentThread().getName() + "\"";
        String outside = one(events, e -> e.startsWith("jdk.ThreadSleep") && slept(e, 3) && e.contains(testThread),
                printed);
        assertFalse(outside.contains("Context:"), outside);

        // the same in-process: the scope events themselves
        List<RecordedEvent> scopes = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(EventNames.CONTEXT_SCOPE))
                .filter(e -> e.getString("path").startsWith("ctxjfr.")).toList();
        RecordedEvent scope = scopes.stream().filter(e -> e.getString("path").equals("ctxjfr.svc.scoped"))
                .findFirst().orElseThrow(() -> new AssertionError(scopes.toString()));
        assertEquals(ids.get("ctxjfr.svc.scoped"), scope.getLong("contextId"));
        assertTrue(scope.getDuration().toMillis() >= 20, scope.toString());
        RecordedEvent virtualScope = scopes.stream().filter(e -> e.getString("path").equals("ctxjfr.svc.virtual"))
                .findFirst().orElseThrow(() -> new AssertionError(scopes.toString()));
        // on the task's own thread (RecordedThread.isVirtual() is JDK 21 API; the field is there)
        assertTrue(virtualScope.getThread().getBoolean("virtual"), virtualScope.toString());
        assertEquals(List.of("Canopy", "Contexts"), scope.getEventType().getCategoryNames());
        assertEquals("Context Scope", scope.getEventType().getLabel());
        for (String field : List.of("contextId", "path")) {
            assertTrue(scope.getEventType().getField(field).getAnnotationElements().stream()
                    .anyMatch(a -> a.getTypeName().equals("jdk.jfr.Contextual")), field + " is contextual");
        }
        assertTrue(scope.getEventType().getField("contextId").getAnnotationElements().stream()
                .anyMatch(a -> a.getTypeName().equals(EventNames.CONTEXT_ID)), "linked to the context's events");
    }

    @Test
    void onJdk25TreesHearOfScopesOnlyWhileTheScopeEventIsRecordedUnlessTurnedOff() {
        assumeTrue(FEATURE >= 25, "jdk.jfr.Contextual arrived in JDK 25");
        try (ContextTree early = ContextTree.builder().rootName("scopes-early").build()) {
            assertFalse(early.listeners().wantsScopes, "nothing records the scope event: scopes cost nothing extra");
            try (Recording other = new Recording()) {
                other.enable(EventNames.CONTEXT_START);
                other.disable(EventNames.CONTEXT_SCOPE);
                other.start();
                assertFalse(early.listeners().wantsScopes, "a recording without the scope event changes nothing");
                try (Recording r = new Recording()) {
                    r.enable(EventNames.CONTEXT_SCOPE).withThreshold(java.time.Duration.ZERO);
                    r.start();
                    assertTrue(early.listeners().wantsScopes, "a tree made before the recording joins when it starts");
                    try (ContextTree during = ContextTree.builder().rootName("scopes-during").build()) {
                        assertTrue(during.listeners().wantsScopes, "a tree made while it records joins at once");
                    }
                    System.setProperty("canopy.jfr.contextScope", "false");
                    try (ContextTree off = ContextTree.builder().rootName("scopes-off").build()) {
                        assertFalse(off.listeners().wantsScopes, "turned off: never hears of scopes");
                    } finally {
                        System.clearProperty("canopy.jfr.contextScope");
                    }
                    r.stop();
                    assertFalse(early.listeners().wantsScopes, "left again when the recording stopped");
                }
            }
        }
    }

    @Test
    void beforeJdk25TheTreeSkipsScopeCallsForJfr() {
        assumeTrue(FEATURE < 25, "JDK 25+ has the contextual scope event");
        try (ContextTree tree = ContextTree.builder().rootName("scopes-before-25").build()) {
            assertTrue(tree.listeners().wantsContexts, "the JFR listener is there");
            assertFalse(tree.listeners().wantsScopes, "but takes no scope calls");
        }
    }

    /**
     * The workload: a 20 ms sleep, then a monitor another thread holds. The sleep is what is recorded
     * (jdk.ThreadSleep, found by its requested time), not a wait for something to happen.
     */
    private static void work(Object monitor) throws Exception {
        Thread.sleep(20);
        enterContended(monitor);
    }

    /**
     * Enters {@code monitor} while another thread holds it. The holder lets go only once this thread is seen blocked on
     * it, so the enter is contended however the threads are scheduled.
     */
    private static void enterContended(Object monitor) throws Exception {
        Thread worker = Thread.currentThread();
        CountDownLatch held = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread holder = new Thread(() -> {
            synchronized (monitor) {
                held.countDown();
                try {
                    TestTrees.awaitTrue("worker blocked on the monitor",
                            () -> worker.getState() == Thread.State.BLOCKED);
                } catch (Throwable t) {
                    failure.set(t);
                }
            }
        }, "monitor-holder");
        holder.start();
        assertTrue(held.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        synchronized (monitor) {
            assertTrue(Thread.holdsLock(monitor)); // entered once the holder let go
        }
        holder.join(WAIT.toMillis());
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    /** {@code jfr print}'s output cut into events: a line {@code jdk.X {} to the closing brace. */
    private static List<String> blocks(String printed) {
        List<String> out = new ArrayList<>();
        StringBuilder current = null;
        for (String line : printed.split("\\R")) {
            if (line.startsWith("jdk.") && line.endsWith("{")) {
                current = new StringBuilder();
            }
            if (current != null) {
                current.append(line).append('\n');
                if (line.equals("}")) {
                    out.add(current.toString());
                    current = null;
                }
            }
        }
        return out;
    }

    /** Whether a printed jdk.ThreadSleep asked for {@code millis} ({@code time = 20.0 ms}). */
    private static boolean slept(String event, int millis) {
        return Pattern.compile("\\n  time = " + millis + "(\\.0+)? ms\\n").matcher(event).find();
    }

    private static String one(List<String> events, java.util.function.Predicate<String> which, String printed) {
        List<String> found = events.stream().filter(which).toList();
        assertEquals(1, found.size(), () -> "expected one such event in:\n" + printed);
        return found.get(0);
    }
}
