package dev.canopy.junit;

import dev.canopy.status.ContextStatus;
import dev.canopy.status.Deadlock;
import dev.canopy.status.LeakedContext;
import dev.canopy.status.LockSnapshot;
import dev.canopy.status.RenderOptions;
import dev.canopy.status.Status;

import dev.canopy.Cancellation;
import dev.canopy.Canopy;
import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.Scope;
import dev.canopy.internal.Durations;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.DynamicTestInvocationContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Gives each test its own isolated {@link ContextTree} and, after the test, fails it when the tree is not clean:
 * child contexts still live, named locks still held or waited for, or a deadlock — printing the status tree.
 * <pre>{@code
 * @ExtendWith(CanopyExtension.class)
 * class SessionTest {
 *     @Test void closesEverything(ContextTree tree, Context root) { ... }   // both injectable
 * }
 * // or configured:
 * @RegisterExtension static CanopyExtension canopy = CanopyExtension.builder().grace(Duration.ofSeconds(2)).build();
 * }</pre>
 * While a test runs, the tree's root is {@link dev.canopy.Canopy#current() current} on the thread that runs it, so
 * code that spawns into {@code Canopy.current()} lands in the test's tree (code that uses {@code Canopy.global()}
 * directly does not). That holds for the test method and the class's {@code @BeforeEach} and {@code @AfterEach}
 * methods also when JUnit runs them on a thread of their own ({@code @Timeout(threadMode = SEPARATE_THREAD)}); a
 * scope such a method leaves open fails the test as one left open on the test thread does. JUnit is an optional
 * dependency of Canopy: this class is only loaded by tests that use it.
 */
public final class CanopyExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver,
        InvocationInterceptor {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(CanopyExtension.class);

    private final Duration grace;
    private final boolean checkContexts;
    private final boolean checkLocks;
    private final Consumer<ContextTree.Builder> configurer;

    /** The strict default: everything must be ended and released, with a 1 s grace for tasks to finish. */
    public CanopyExtension() {
        this(new Builder());
    }

    private CanopyExtension(Builder b) {
        this.grace = b.grace;
        this.checkContexts = b.checkContexts;
        this.checkLocks = b.checkLocks;
        this.configurer = b.configurer;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for {@link CanopyExtension}. */
    public static final class Builder {
        private Duration grace = Duration.ofSeconds(1);
        private boolean checkContexts = true;
        private boolean checkLocks = true;
        private Consumer<ContextTree.Builder> configurer = b -> { };

        private Builder() {
        }

        /** How long to wait, after the test, for tasks to finish before checking; default 1 s. */
        public Builder grace(Duration grace) {
            Objects.requireNonNull(grace, "grace");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("grace must not be negative: " + grace);
            }
            this.grace = grace;
            return this;
        }

        /** Let tests leave child contexts open (locks and deadlocks are still checked). */
        public Builder allowLiveContexts() {
            this.checkContexts = false;
            return this;
        }

        /** Let tests leave named locks held or awaited (deadlocks are still checked). */
        public Builder allowHeldLocks() {
            this.checkLocks = false;
            return this;
        }

        /** Configures each test's tree (clock, executor, thresholds…). */
        public Builder tree(Consumer<ContextTree.Builder> configurer) {
            this.configurer = Objects.requireNonNull(configurer, "configurer");
            return this;
        }

        public CanopyExtension build() {
            return new CanopyExtension(this);
        }
    }

    /**
     * What the store keeps per test: the tree, the scope that made its root current and the thread it did so on,
     * and the scopes found left open on other threads the test's methods ran on.
     */
    private record PerTest(ContextTree tree, Scope scope, Thread thread, Queue<String> scopesLeftElsewhere)
            implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            scope.close();
            tree.close();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        // every opened context watched: a test is where a leak should be found, whatever it costs
        ContextTree.Builder b = ContextTree.builder().rootName("test").leakDetection(1);
        configurer.accept(b);
        ContextTree tree = b.build();
        context.getStore(NS).put(PerTest.class, new PerTest(tree, tree.root().makeCurrent(), Thread.currentThread(),
                new ConcurrentLinkedQueue<>()));
    }

    @Override
    public void interceptBeforeEachMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
        inTestTree(invocation, context);
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext context) throws Throwable {
        inTestTree(invocation, context);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
        inTestTree(invocation, context);
    }

    @Override
    public <T> T interceptTestFactoryMethod(Invocation<T> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
        return inTestTree(invocation, context);
    }

    @Override
    public void interceptDynamicTest(Invocation<Void> invocation, DynamicTestInvocationContext invocationContext,
            ExtensionContext context) throws Throwable {
        inTestTree(invocation, context);
    }

    @Override
    public void interceptAfterEachMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
        inTestTree(invocation, context);
    }

    /**
     * Runs a method of the test with the test's root current. On the thread {@link #beforeEach} ran on it is current
     * already; JUnit runs a method on another thread for a {@code @Timeout} with {@code SEPARATE_THREAD}, and there
     * the root is made current for the method's run, and what the method leaves current is noted for the check.
     */
    private static <T> T inTestTree(Invocation<T> invocation, ExtensionContext context) throws Throwable {
        PerTest t = context.getStore(NS).get(PerTest.class, PerTest.class);
        if (t == null || Thread.currentThread() == t.thread()) {
            return invocation.proceed();
        }
        Context root = t.tree().root();
        Scope scope = root.makeCurrent();
        try {
            return invocation.proceed();
        } finally {
            Context left = Canopy.current();
            if (left != root) {
                t.scopesLeftElsewhere().add("a scope was left open: " + left.path() + " was still current when "
                        + "the test's method ended on thread \"" + Thread.currentThread().getName() + "\" (close "
                        + "what makeCurrent() returns, best with try-with-resources)");
            }
            scope.close(); // the thread goes back to what it had, whatever the method left current
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        PerTest t = context.getStore(NS).remove(PerTest.class, PerTest.class);
        if (t == null) {
            return;
        }
        try {
            // a test that failed already is not kept waiting for the grace; what its tree shows then (a lock its
            // exception skipped releasing, a deadlock behind a timeout) is thrown too, and JUnit adds it to the
            // test's own failure as a suppressed exception
            boolean failed = context.getExecutionException().isPresent();
            Context current = Canopy.current(); // afterEach runs on the thread beforeEach made the root current on
            List<String> problems = new ArrayList<>(problems(t.tree(), failed ? Duration.ZERO : grace));
            if (current != t.tree().root()) {
                problems.add(0, "a scope was left open: " + current.path() + " is still current on the test thread "
                        + "(close what makeCurrent() returns, best with try-with-resources)");
            }
            problems.addAll(0, t.scopesLeftElsewhere());
            if (!problems.isEmpty()) {
                throw new AssertionError("Canopy: " + (failed ? "besides the test's own failure, its tree was left"
                        : "the test left its tree") + " unclean:\n  - " + String.join("\n  - ", problems) + "\n\n"
                        + t.tree().status().render(RenderOptions.plain().withSystem(false)));
            }
        } finally {
            t.close();
        }
    }

    private List<String> problems(ContextTree tree, Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        if (checkContexts) {
            tree.awaitDrain(grace);
            awaitLeakReports(tree, deadline);
        } else if (checkLocks) {
            awaitLocksReleased(tree, deadline); // tasks finishing within the grace release their locks
        }
        Status status = tree.status();
        List<String> problems = new ArrayList<>();
        if (checkContexts) {
            for (ContextStatus c : status.root().children()) {
                unended(c, problems);
            }
            for (LeakedContext leak : tree.recentLeaks()) {
                problems.add("context " + leak.path() + " (#" + leak.id() + ") was never closed: garbage-collected "
                        + Durations.human(leak.age()) + " after it was opened" + (leak.openedAt() == null
                        ? " (CanopyExtension.builder().tree(b -> b.captureCreationSites(1.0)) shows where)"
                        : "; opened at " + leak.openedAt()));
            }
        }
        if (checkLocks) {
            for (LockSnapshot l : status.locks()) {
                l.holders().forEach(h -> problems.add("lock \"" + l.name() + "\" is still held by " + h.contextPath()));
                l.waiters().forEach(w -> problems.add(w.contextPath() + " still waits for lock \"" + l.name() + "\""));
            }
        }
        for (Deadlock d : status.deadlocks()) {
            if (d.source().equals("CANOPY")) {
                problems.add("deadlock: " + d.describe());
            }
        }
        return problems;
    }

    /**
     * Why {@code c} is still in the tree. One still open is the problem itself (its subtree is in the printed tree);
     * one whose outcome is fixed but stays waits for its children or its own tasks, so those are what is named.
     */
    private static void unended(ContextStatus c, List<String> problems) {
        String age = " (" + Durations.human(c.duration()) + " old)";
        Cancellation cancelled = c.cancellation();
        if (!c.ended()) {
            problems.add("context " + c.path() + (cancelled == null ? " is still active"
                    : " was cancelled (" + cancelled.reason() + ") and has not ended: its task goes on, or it was "
                    + "never closed") + age);
            return;
        }
        if (c.children().isEmpty() && c.omittedDescendants() > 0) {
            problems.add("context " + c.path() + " has " + c.state().name().toLowerCase() + " but waits for "
                    + c.omittedDescendants() + " descendants deeper than the status shows" + age);
            return;
        }
        if (c.children().isEmpty()) {
            problems.add("context " + c.path() + " has " + c.state().name().toLowerCase()
                    + (cancelled == null ? "" : " (" + cancelled.reason() + ")") + " but a task of its own still runs"
                    + age);
            return;
        }
        for (ContextStatus child : c.children()) {
            unended(child, problems);
        }
    }

    /**
     * A context collected without being closed is reported by the leak detector's thread shortly after the
     * collection; until then the tree's statistics count it live although no parent shows it. Waits (within the
     * grace) until every live context the statistics count can be seen, so such a leak is reported, not missed.
     */
    private static void awaitLeakReports(ContextTree tree, long deadline) throws InterruptedException {
        while (tree.statistics().live() > visible(tree.root()) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static long visible(Context c) {
        long n = 1;
        for (Context child : c.children()) {
            n += visible(child);
        }
        return n;
    }

    private static void awaitLocksReleased(ContextTree tree, long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline
                && tree.locks().stream().anyMatch(l -> !l.holders().isEmpty() || !l.waiters().isEmpty())) {
            Thread.sleep(5);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == ContextTree.class || type == Context.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        PerTest t = context.getStore(NS).get(PerTest.class, PerTest.class);
        if (t == null) {
            throw new ParameterResolutionException("CanopyExtension gives a tree to test methods only (not to "
                    + "constructors or @BeforeAll methods)");
        }
        return parameter.getParameter().getType() == ContextTree.class ? t.tree() : t.tree().root();
    }
}
