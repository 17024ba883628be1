package dev.canopy.bridge;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A loopback HTTP server whose requests stall until released, so a test can look at the tree while a request is
 * in flight. {@code /ok} answers 200 once released; {@code /broken} drops the connection without an answer.
 */
public final class StallingServer implements AutoCloseable {
    public final CountDownLatch arrived = new CountDownLatch(1);
    public final CountDownLatch release = new CountDownLatch(1);
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    public StallingServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/ok", exchange -> {
            stall();
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/broken", exchange -> {
            stall();
            exchange.close(); // no response: the connection is dropped
        });
        server.start();
    }

    private void stall() {
        arrived.countDown();
        try {
            if (!release.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the request");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public URI uri(String path) {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort() + path);
    }

    public void awaitArrival() throws InterruptedException {
        if (!arrived.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the request never reached the server");
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
