package dev.canopy.otel;

import com.sun.net.httpserver.HttpServer;
import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.Registration;
import dev.canopy.TestTrees;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Two services, each a tree with an SDK of its own, as two processes would have, both sending spans to one
 * collector (an in-memory exporter). The shop calls the warehouse over real HTTP on loopback; the request carries
 * the shop context's {@code traceparent}, and the warehouse opens its request context as that caller's child.
 */
class TwoServicesTest {
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

    private final InMemorySpanExporter collector = InMemorySpanExporter.create();
    private final ExecutorService serverThreads = Executors.newFixedThreadPool(2);
    private final HttpClient client = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
    private Service shop;
    private Service warehouse;
    private HttpServer server;

    /** A service: its tree, its SDK, its export. */
    private final class Service implements AutoCloseable {
        final ContextTree tree;
        final OpenTelemetrySdk openTelemetry;
        final Registration export;

        Service(String name, ExportOptions options) {
            tree = ContextTree.builder().rootName(name).build();
            openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                    .setResource(Resource.getDefault().merge(Resource.builder().put(SERVICE_NAME, name).build()))
                    .addSpanProcessor(SimpleSpanProcessor.create(collector))
                    .build()).build();
            export = CanopyTracing.export(tree, openTelemetry, options);
        }

        @Override
        public void close() {
            export.close();
            openTelemetry.close();
            tree.close();
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        shop = new Service("shop", ExportOptions.all());
        // the warehouse's service context lives as long as the service: not a span, its requests are
        warehouse = new Service("warehouse", ExportOptions.all().excluding("warehouse.stock-api"));
        Context stockApi = TestTrees.keep(warehouse.tree.root().child("stock-api").open());

        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(serverThreads);
        server.createContext("/stock", exchange -> {
            byte[] body;
            try (Context request = CanopyTracing.continueTrace(stockApi.child("stock-request"),
                    exchange.getRequestHeaders()).withData("path", exchange.getRequestURI().getPath()).open()) {
                try (Context lookup = request.child("lookup").open()) {
                    body = "42".getBytes(StandardCharsets.UTF_8);
                }
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        assertEquals("127.0.0.1", server.getAddress().getAddress().getHostAddress());
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
        serverThreads.shutdownNow();
        shop.close();
        warehouse.close();
    }

    private SpanData span(String name) {
        List<SpanData> named = collector.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
        assertEquals(1, named.size(), () -> "one span " + name + " in " + collector.getFinishedSpanItems());
        return named.get(0);
    }

    @Test
    void oneTraceRunsThroughBothServices() throws Exception {
        URI stock = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/stock");
        try (Context checkout = shop.tree.root().child("checkout").open();
             Context call = checkout.child("stock-call").open()) {
            HttpRequest request = CanopyTracing.inject(call, HttpRequest.newBuilder(stock)).GET().build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("42", response.body());
        }
        // the server's spans end before it answers; waiting on the collector still keeps the test free of any
        // assumption about when the exporter, called from another thread, has them
        TestTrees.awaitTrue("four spans collected", () -> collector.getFinishedSpanItems().size() == 4);

        SpanData checkout = span("checkout");
        SpanData call = span("stock-call");
        SpanData served = span("stock-request");
        SpanData lookup = span("lookup");
        assertEquals("shop", call.getResource().getAttribute(SERVICE_NAME));
        assertEquals("warehouse", served.getResource().getAttribute(SERVICE_NAME));

        assertEquals(checkout.getTraceId(), served.getTraceId(), "one trace across both services");
        assertEquals(checkout.getTraceId(), lookup.getTraceId());
        assertEquals(call.getSpanId(), served.getParentSpanId(), "the server's span is the client call's child");
        assertTrue(served.getParentSpanContext().isRemote());
        assertEquals(SpanKind.SERVER, served.getKind());
        assertEquals(served.getSpanId(), lookup.getParentSpanId());
        assertEquals("warehouse.stock-api.stock-request", served.getAttributes().get(
                AttributeKey.stringKey(CanopyTracing.PATH_ATTRIBUTE)));
        assertEquals("/stock", served.getAttributes().get(AttributeKey.stringKey("path")));
        assertEquals(4, collector.getFinishedSpanItems().size(), "the excluded service context is no span");
    }
}
