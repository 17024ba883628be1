package dev.canopy.micrometer;

import dev.canopy.Context;
import dev.canopy.LiveData;
import dev.canopy.Scope;
import dev.canopy.bridge.DataValues;
import dev.canopy.bridge.ForeignNames;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;

import java.lang.ref.WeakReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What the handler keeps inside an observation's own context: its Canopy context, and the Canopy scopes its open
 * observation scopes hold. An observation's scope may be opened on several threads at once (work handed between
 * threads), and a Canopy scope must be closed on the thread that opened it, so each is kept with its thread.
 *
 * <p>It is also the context's {@link LiveData}: the observation's name and key values are read from the
 * observation when the context is shown. Micrometer keeps them in concurrent maps, so a status thread may read
 * them while the observed code adds more.
 *
 * <p>It holds the observation weakly. The tree keeps a context that was never closed (so it stays visible), and an
 * observation never stopped would otherwise stay reachable through it with everything the instrumentation put into
 * it (a request, a response): a leak of the application's heap that the instrumentation bug alone did not cause.
 * Held weakly, a forgotten observation costs the tree an empty context; its data is gone once it is collected.
 */
final class ObservationState extends WeakReference<Observation.Context> implements LiveData {
    private final boolean highCardinality;
    /** Written once the context opened, before this state is put into the observation (which publishes it). */
    Context context;
    /** Newest first; guarded by this (held for a few field writes, never while anything blocks). */
    private OpenScope scopes;

    ObservationState(Observation.Context observation, boolean highCardinality) {
        super(observation);
        this.highCardinality = highCardinality;
    }

    /** What {@code Observation.Context.toString()} shows for this entry of its map, in the application's logs. */
    @Override
    public String toString() {
        Context c = context;
        return c == null ? "Canopy context (not opened)" : "Canopy context " + c.path() + " #" + c.id();
    }

    private Observation.Context observation() {
        return get();
    }

    /**
     * The observation stopped but its context stays (it waits for children): keeps the data as it is now in the
     * context and lets go of the observation, so the context does not depend on when it is collected.
     */
    void keepAndRelease() {
        DataValues.keep(context, this);
        clear();
    }

    @Override
    public void describe(BiConsumer<String, Object> out) {
        Observation.Context observation = observation();
        if (observation == null) {
            return; // let go of: the context keeps the data itself
        }
        String name = observation.getName();
        if (name != null && !ForeignNames.contextName(name).equals(name)) {
            out.accept(CanopyObservationHandler.NAME_KEY, DataValues.text(name));
        }
        String contextual = observation.getContextualName();
        if (contextual != null) {
            out.accept(CanopyObservationHandler.CONTEXTUAL_NAME_KEY, DataValues.text(contextual));
        }
        for (KeyValue kv : observation.getLowCardinalityKeyValues()) {
            keyValue(kv, out);
        }
        if (highCardinality) {
            for (KeyValue kv : observation.getHighCardinalityKeyValues()) {
                keyValue(kv, out);
            }
        }
    }

    private static void keyValue(KeyValue kv, BiConsumer<String, Object> out) {
        String key = kv.getKey();
        if (isShownKey(key)) {
            out.accept(key, DataValues.text(kv.getValue()));
        }
    }

    private static boolean isShownKey(String key) {
        return ForeignNames.isUsableKey(key) && !ForeignNames.isSecretLike(key)
                && !key.equals(CanopyObservationHandler.NAME_KEY)
                && !key.equals(CanopyObservationHandler.CONTEXTUAL_NAME_KEY);
    }

    /** The values of secret-like keys, low and high cardinality, which {@link #describe} never gives. */
    @Override
    public void withheldSecrets(Consumer<String> out) {
        Observation.Context observation = observation();
        if (observation == null) {
            return;
        }
        for (KeyValue kv : observation.getLowCardinalityKeyValues()) {
            withheld(kv, out);
        }
        for (KeyValue kv : observation.getHighCardinalityKeyValues()) {
            withheld(kv, out);
        }
    }

    private static void withheld(KeyValue kv, Consumer<String> out) {
        if (ForeignNames.isSecretLike(kv.getKey())) {
            out.accept(kv.getValue());
        }
    }

    /** One key straight from the observation's maps, exactly as {@link #describe} would give it. */
    @Override
    public Object value(String key) {
        Observation.Context observation = observation();
        if (observation == null) {
            return null;
        }
        if (key.equals(CanopyObservationHandler.NAME_KEY)) {
            String name = observation.getName();
            return name != null && !ForeignNames.contextName(name).equals(name) ? DataValues.text(name) : null;
        }
        if (key.equals(CanopyObservationHandler.CONTEXTUAL_NAME_KEY)) {
            String contextual = observation.getContextualName();
            return contextual == null ? null : DataValues.text(contextual);
        }
        if (!isShownKey(key)) {
            return null;
        }
        KeyValue kv = highCardinality ? observation.getHighCardinalityKeyValue(key) : null;
        if (kv == null) {
            kv = observation.getLowCardinalityKeyValue(key);
        }
        return kv == null ? null : DataValues.text(kv.getValue());
    }

    synchronized void scopeOpened(Scope scope) {
        scopes = new OpenScope(Thread.currentThread(), scope, scopes);
    }

    /** Removes and returns the newest scope the calling thread opened, or null. */
    synchronized Scope scopeClosed() {
        Thread me = Thread.currentThread();
        OpenScope previous = null;
        for (OpenScope s = scopes; s != null; previous = s, s = s.next) {
            if (s.thread == me) {
                if (previous == null) {
                    scopes = s.next;
                } else {
                    previous.next = s.next;
                }
                return s.scope;
            }
        }
        return null;
    }

    private static final class OpenScope {
        final Thread thread;
        final Scope scope;
        OpenScope next;

        OpenScope(Thread thread, Scope scope, OpenScope next) {
            this.thread = thread;
            this.scope = scope;
            this.next = next;
        }
    }
}
