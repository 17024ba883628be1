package dev.canopy.otel;

import com.sun.net.httpserver.HttpServer;
import dev.canopy.Canopy;
import dev.canopy.Context;
import dev.canopy.Registration;
import dev.canopy.Scope;
import io.opentelemetry.api.GlobalOpenTelemetry;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * A service run under the OpenTelemetry Java agent that exports its contexts to the agent's SDK and calls a server
 * with the JDK's {@link HttpClient}, which the agent instruments: once in a {@code makeCurrent()} scope, once from a
 * spawned task. Prints the context's {@code traceparent}, then exits (the agent exports its spans on the way out).
 */
public final class AgentAppExporting {
    private AgentAppExporting() {
    }

    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/inventory", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest call = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/inventory")).build();
        System.out.println("running as pid " + ProcessHandle.current().pid());
        try (Registration export = CanopyTracing.export(Canopy.tree(), GlobalOpenTelemetry.get());
             Context checkout = Canopy.global().child("checkout").open()) {
            try (Scope s = checkout.makeCurrent()) {
                client.send(call, HttpResponse.BodyHandlers.discarding());
            }
            checkout.spawnChild("worker", ctx -> client.send(call, HttpResponse.BodyHandlers.discarding())
                    .statusCode()).join();
            System.out.println("checkout traceparent " + CanopyTracing.traceparent(checkout).orElseThrow());
        } finally {
            server.stop(0);
        }
        System.out.println("done");
    }
}
