package dev.canopy.micrometer;

import dev.canopy.Context;
import dev.canopy.Scope;

/**
 * What the handler keeps inside an observation's own context: its Canopy context, and the Canopy scopes its open
 * observation scopes hold. An observation's scope may be opened on several threads at once (work handed between
 * threads), and a Canopy scope must be closed on the thread that opened it, so each is kept with its thread.
 */
final class ObservationState {
    final Context context;
    /** Newest first; guarded by this (held for a few field writes, never while anything blocks). */
    private OpenScope scopes;

    ObservationState(Context context) {
        this.context = context;
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
