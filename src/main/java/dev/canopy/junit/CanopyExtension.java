package dev.canopy.junit;

import dev.canopy.status.Deadlock;
import dev.canopy.status.LockSnapshot;
import dev.canopy.status.RenderOptions;
import dev.canopy.status.Status;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.Scope;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * While a test runs, the tree's root is {@link dev.canopy.Canopy#current() current} on the test thread, so code that
 * spawns into {@code Canopy.current()} lands in the test's tree (code that uses {@code Canopy.global()} directly does
 * not). JUnit is an optional dependency of Canopy: this class is only loaded by tests that use it.
 */
public final class CanopyExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
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

    /** What the store keeps per test: the tree and the scope that made its root current. */
    private record PerTest(ContextTree tree, Scope scope) implements ExtensionContext.Store.CloseableResource {
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
        context.getStore(NS).put(PerTest.class, new PerTest(tree, tree.root().makeCurrent()));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        PerTest t = context.getStore(NS).remove(PerTest.class, PerTest.class);
        if (t == null) {
            return;
        }
        try {
            List<String> problems = problems(t.tree(), grace);
            if (!problems.isEmpty() && context.getExecutionException().isEmpty()) {
                throw new AssertionError("Canopy: the test left its tree unclean:\n  - "
                        + String.join("\n  - ", problems) + "\n\n"
                        + t.tree().status().render(RenderOptions.plain().withSystem(false)));
            }
        } finally {
            t.close();
        }
    }

    private List<String> problems(ContextTree tree, Duration grace) throws InterruptedException {
        if (checkContexts) {
            tree.awaitDrain(grace);
        }
        Status status = tree.status();
        List<String> problems = new ArrayList<>();
        if (checkContexts) {
            for (Context c : tree.root().children()) {
                problems.add("context " + c.path() + " is still " + c.state().name().toLowerCase()
                        + " (" + c.duration().toMillis() + " ms old)");
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
