package dev.canopy.micrometer;

import dev.canopy.Canopy;
import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.Scope;
import dev.canopy.bridge.BridgeFailures;
import dev.canopy.bridge.BridgeRoot;
import dev.canopy.bridge.ForeignNames;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationView;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Shows every running Micrometer {@link Observation} as a Canopy context, so an application instrumented with
 * Micrometer (Spring Boot observes its requests, clients and repositories) appears in {@code canopy status},
 * JConsole and JFR without instrumentation of its own.
 * <pre>{@code
 * registry.observationConfig().observationHandler(new CanopyObservationHandler());
 * // Spring Boot registers every ObservationHandler bean itself:
 * @Bean CanopyObservationHandler canopyObservationHandler() { return new CanopyObservationHandler(); }
 * }</pre>
 *
 * <ul>
 *   <li>An observation is a context from start to stop, a child of its parent observation's context; without a
 *       parent observation, of the {@link Canopy#current() current} context, or else of {@code global.observations}
 *       ({@link #withRoot(String)}).</li>
 *   <li>The context is named after the observation with {@code '.'} replaced by {@code '_'}
 *       ({@code http.client.requests} → {@code http_client_requests}), since dots separate path segments; the
 *       original name is then kept as data {@value #NAME_KEY}, the contextual name as {@value #CONTEXTUAL_NAME_KEY}.</li>
 *   <li>Low-cardinality key values are data; high-cardinality ones only with
 *       {@link #withHighCardinalityKeyValues(boolean)}. Keys that look like secrets (passwords, tokens,
 *       authorization, cookies, sessions: {@link dev.canopy.bridge.ForeignNames#isSecretLike}) are never shown,
 *       nor secret-like query parameters' values in URLs. The data is read from the observation whenever the context is
 *       looked at ({@link dev.canopy.LiveData}), not copied at the start: key values added while the observation
 *       runs show too, and starting an observation costs one child context and no more.</li>
 *   <li>Stop closes the context; an observation that recorded an error ends {@code FAILED} with that exception.</li>
 *   <li>While the observation's scope is open, its context is {@link Canopy#current() current}, so contexts and
 *       tasks the code opens meanwhile nest under it.</li>
 * </ul>
 * The handler never throws into the observed code: work it cannot show is left out. Instances are immutable and
 * thread-safe; the {@code with…} methods return new ones.
 */
public final class CanopyObservationHandler implements ObservationHandler<Observation.Context> {
    /** Data key of the observation's name, when the context name had to differ from it. */
    public static final String NAME_KEY = "observation";
    /** Data key of the observation's contextual name ({@code "http get"}). */
    public static final String CONTEXTUAL_NAME_KEY = "contextualName";
    /** The name, under the tree's root, of the default parent of observations without one. */
    public static final String DEFAULT_ROOT_NAME = "observations";

    private final BridgeRoot root;
    private final boolean highCardinality;
    /**
     * Where this handler keeps an observation's state inside the observation's own context: one key per handler,
     * so two handlers feeding two trees never read each other's contexts.
     */
    private final StateKey stateKey;

    /**
     * A handler for the default tree ({@link Canopy#tree()}), observations without a parent under
     * {@code global.observations}. It follows the current context into another tree: in a test run with
     * {@link dev.canopy.junit.CanopyExtension}, observations the test starts go into the test's tree and are checked
     * with it. A handler made for a tree ({@link #CanopyObservationHandler(ContextTree)}) keeps to that tree.
     */
    public CanopyObservationHandler() {
        this(BridgeRoot.followingCurrentTree(Canopy.tree(), Canopy.tree().root().name() + "." + DEFAULT_ROOT_NAME),
                false, new StateKey());
    }

    /** A handler for {@code tree}, observations without a parent under {@code <root>.observations}. */
    public CanopyObservationHandler(ContextTree tree) {
        this(new BridgeRoot(Objects.requireNonNull(tree, "tree"), tree.root().name() + "." + DEFAULT_ROOT_NAME),
                false, new StateKey());
    }

    private CanopyObservationHandler(BridgeRoot root, boolean highCardinality, StateKey stateKey) {
        this.root = root;
        this.highCardinality = highCardinality;
        this.stateKey = stateKey;
    }

    /**
     * Puts observations that have neither a parent observation nor a current Canopy context under the context at
     * {@code path} instead: one of the application's own (looked up among the live contexts) or else opened by the
     * handler. The root's own name puts them directly under the root.
     *
     * @param path a dotted path starting with the tree's root name, such as {@code "global.http-server"}
     * @throws IllegalArgumentException if the path does not start at the root or has an invalid segment
     */
    public CanopyObservationHandler withRoot(String path) {
        return new CanopyObservationHandler(root.at(path), highCardinality, stateKey);
    }

    /**
     * Whether high-cardinality key values (full URLs, user ids) become data too. Off by default: they make every
     * status larger, and they are where personal data tends to be.
     */
    public CanopyObservationHandler withHighCardinalityKeyValues(boolean include) {
        return new CanopyObservationHandler(root, include, stateKey);
    }

    /** The tree observations without a current context go into. */
    public ContextTree tree() {
        return root.tree();
    }

    /**
     * The key of a handler's state in an observation, shared by the handler and its {@code with…} copies. Registered
     * twice on one registry (a bean and a customizer, say), a handler would open a second context for each
     * observation and the first would never close; the second registration is ignored instead, and said once.
     */
    private static final class StateKey {
        private static final System.Logger LOG = System.getLogger(CanopyObservationHandler.class.getName());
        private final AtomicBoolean told = new AtomicBoolean();

        @Override
        public String toString() {
            return "canopy";
        }

        void registeredTwice() {
            if (!told.get() && told.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "a CanopyObservationHandler (or a with… copy of it) is registered "
                        + "more than once on an ObservationRegistry; each observation is shown once, the other "
                        + "registrations do nothing");
            }
        }
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return context != null;
    }

    @Override
    public void onStart(Observation.Context observation) {
        if (observation.get(stateKey) != null) {
            stateKey.registeredTwice(); // the same handler (or a with… copy) twice on one registry: shown once
            return;
        }
        try {
            ObservationState state = new ObservationState(observation, highCardinality);
            state.context = root.open(parentOf(observation), ForeignNames.contextName(observation.getName()), state);
            observation.put(stateKey, state);
        } catch (RuntimeException e) {
            BridgeFailures.report("start observation \"" + observation.getName() + "\"", e);
        }
    }

    private Context parentOf(Observation.Context observation) {
        ObservationView parent = observation.getParentObservation();
        if (parent != null) {
            ObservationState state = parent.getContextView().get(stateKey);
            if (state != null && !state.context.isEnded()) {
                return state.context;
            }
        }
        return root.parentForOrphan();
    }

    @Override
    public void onEvent(Observation.Event event, Observation.Context observation) {
        ObservationState state = observation.get(stateKey);
        if (state != null) {
            state.context.touch(); // an event is activity: the observation is not idle
        }
    }

    @Override
    public void onScopeOpened(Observation.Context observation) {
        ObservationState state = observation.get(stateKey);
        if (state != null) {
            state.scopeOpened(state.context.makeCurrent());
        }
    }

    @Override
    public void onScopeClosed(Observation.Context observation) {
        ObservationState state = observation.get(stateKey);
        if (state != null) {
            Scope scope = state.scopeClosed();
            if (scope != null) {
                scope.close();
            }
        }
    }

    @Override
    public void onScopeReset(Observation.Context observation) {
        // Micrometer clears a thread's observation scopes (context propagation): give the thread back the Canopy
        // context it had before, as closing each of this observation's scopes on it would
        ObservationState state = observation.get(stateKey);
        if (state != null) {
            for (Scope s; (s = state.scopeClosed()) != null; ) {
                s.close();
            }
        }
    }

    @Override
    public void onStop(Observation.Context observation) {
        ObservationState state = observation.get(stateKey);
        if (state == null) {
            return;
        }
        try {
            Throwable error = observation.getError();
            if (error != null) {
                state.context.fail(error);
            } else {
                state.context.close();
            }
            if (!state.context.isEnded()) {
                state.keepAndRelease(); // still in the tree, waiting for children
            }
        } catch (RuntimeException e) {
            BridgeFailures.report("stop observation \"" + observation.getName() + "\"", e);
        }
    }
}
