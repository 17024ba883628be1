package dev.canopy.otel;

import dev.canopy.Canopy;
import dev.canopy.Context;

/** {@link AgentApp} in an application that uses Canopy itself: its own tree has a service context. */
public final class AgentAppWithCanopy {
    /** Held for the life of the process: an open context nobody references is reported as a leak. */
    static Context service;

    private AgentAppWithCanopy() {
    }

    public static void main(String[] args) throws Exception {
        service = Canopy.global().child("app-service").open();
        AgentApp.main(args);
    }
}
