package dev.canopy.micrometer;

import dev.canopy.Context;
import dev.canopy.LiveData;
import dev.canopy.Scope;
import dev.canopy.bridge.DataValues;
import dev.canopy.bridge.ForeignNames;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;

import java.util.function.BiConsumer;

/**
 * What the handler keeps inside an observation's own context: its Canopy context, and the Canopy scopes its open
 * observation scopes hold. An observation's scope may be opened on several threads at once (work handed between
 * threads), and a Canopy scope must be closed on the thread that opened it, so each is kept with its thread.
 *
 * <p>It is also the context's {@link LiveData}: the observation's name and key values are read from the
 * observation when the context is shown. Micrometer keeps them in concurrent maps, so a status thread may read
 * them while the observed code adds more.
 */
final class ObservationState implements LiveData {
    private final Observation.Context observation;
    private final boolean highCardinality;
    /** Written once the context opened, before this state is put into the observation (which publishes it). */
    Context context;
    /** Newest first; guarded by this (held for a few field writes, never while anything blocks). */
    private OpenScope scopes;

    ObservationState(Observation.Context observation, boolean highCardinality) {
        this.observation = observation;
        this.highCardinality = highCardinality;
    }

    @Override
    public void describe(BiConsumer<String, Object> out) {
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
        if (ForeignNames.isUsableKey(key) && !ForeignNames.isSecretLike(key)
                && !key.equals(CanopyObservationHandler.NAME_KEY)
                && !key.equals(CanopyObservationHandler.CONTEXTUAL_NAME_KEY)) {
            out.accept(key, DataValues.text(kv.getValue()));
        }
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
