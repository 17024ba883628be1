package dev.canopy.otel;

import com.sun.net.httpserver.HttpServer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A service with no Canopy and no tracing code of its own, for {@link AgentExtensionIT}: the OpenTelemetry agent
 * instruments its JDK HttpClient call to a loopback server that stalls until a line "release" arrives on standard
 * input; "exit" ends it. It prints "running as pid N", "in flight" once the request reached the server, and
 * "done <status>" once the response came back. Uses the JDK only, so it runs on a class path without Canopy.
 */
public final class AgentApp {
    private AgentApp() {
    }

    public static void main(String[] args) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/stall", exchange -> {
            System.out.println("in flight");
            try {
                if (!release.await(120, TimeUnit.SECONDS)) {
                    System.out.println("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        System.out.println("running as pid " + ProcessHandle.current().pid());

        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/stall");
        HttpClient client = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
        Thread requester = new Thread(() -> {
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                System.out.println("done " + r.statusCode());
            } catch (Exception e) {
                System.out.println("failed " + e);
            }
        }, "requester");
        requester.start();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("release")) {
                release.countDown();
            } else if (line.equals("exit")) {
                break;
            }
        }
        server.stop(0);
        System.exit(0);
    }
}
