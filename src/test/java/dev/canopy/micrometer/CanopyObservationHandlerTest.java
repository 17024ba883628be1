package dev.canopy.micrometer;

import dev.canopy.Canopy;
import dev.canopy.Context;
import dev.canopy.ContextState;
import dev.canopy.ContextTree;
import dev.canopy.Scope;
import dev.canopy.TestTrees;
import dev.canopy.bridge.BridgeFailures;
import dev.canopy.bridge.StallingServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.java11.instrument.binder.jdk.MicrometerHttpClient;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** Micrometer's own instrumentation (its JDK HttpClient wrapper) seen through the handler. */
class CanopyObservationHandlerTest {
    private ContextTree tree;
    private ObservationRegistry registry;
    private StallingServer server;
    private HttpClient client;
    private final ExecutorService caller = Executors.newSingleThreadExecutor();

    @BeforeEach
    void setUp() throws IOException {
        tree = ContextTree.builder().rootName("test").build();
        registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new CanopyObservationHandler(tree));
        server = new StallingServer();
        client = MicrometerHttpClient.instrumentationBuilder(
                        HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build(), new SimpleMeterRegistry())
                .observationRegistry(registry)
                .build();
    }

    @AfterEach
    void tearDown() {
        server.close();
        caller.shutdownNow();
        tree.close();
    }

    private CompletableFuture<HttpResponse<String>> get(String path) {
        return CompletableFuture.supplyAsync(() -> send(path), caller);
    }

    private HttpResponse<String> send(String path) {
        try {
            return client.send(HttpRequest.newBuilder(server.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Context only(String path) {
        List<Context> found = tree.findByPath(path);
        assertEquals(1, found.size(), () -> "one context at " + path + " in\n" + tree.status());
        return found.get(0);
    }

    @Test
    void aRequestIsAContextWhileInFlightAndGoneAfter() throws Exception {
        CompletableFuture<HttpResponse<String>> response = get("/ok");
        server.awaitArrival();

        Context request = only("test.observations.http_client_requests");
        String shown = tree.status().toString();
        assertTrue(shown.contains("observation=http.client.requests"), shown); // the original name, kept as data
        assertTrue(shown.contains("method=GET"), "low-cardinality key values are data:\n" + shown);
        assertEquals(ContextState.ACTIVE, request.state());

        server.release.countDown();
        assertEquals(200, response.get(10, TimeUnit.SECONDS).statusCode());
        assertTrue(request.isEnded());
        assertEquals(ContextState.COMPLETED, request.state());
        assertEquals(List.of(), tree.findByPath("test.observations.http_client_requests"));
        assertFalse(tree.status().toString().contains("http_client_requests"));
    }

    @Test
    void nestedObservationsNestAndTheObservedCodeRunsInItsContext() throws Exception {
        AtomicReference<Context> currentInside = new AtomicReference<>();
        CompletableFuture<HttpResponse<String>> response = CompletableFuture.supplyAsync(() ->
                Observation.createNotStarted("checkout.flow", registry).observe(() -> {
                    currentInside.set(Canopy.current());
                    try (Context query = Canopy.current().child("db-query").open()) {
                        assertEquals("test.observations.checkout_flow.db-query", query.path());
                    }
                    return send("/ok");
                }), caller);
        server.awaitArrival();

        Context flow = only("test.observations.checkout_flow");
        Context request = only("test.observations.checkout_flow.http_client_requests");
        assertSame(flow, currentInside.get(), "the observation's context is current while its scope is open");
        assertEquals(flow, request.parent().orElseThrow());

        server.release.countDown();
        response.get(10, TimeUnit.SECONDS);
        assertEquals(ContextState.COMPLETED, flow.state());
        assertTrue(flow.isEnded() && request.isEnded());
    }

    @Test
    void aFailedRequestEndsFailedWithItsException() throws Exception {
        CompletableFuture<HttpResponse<String>> response = get("/broken");
        server.awaitArrival();
        Context request = only("test.observations.http_client_requests");

        server.release.countDown();
        ExecutionException e = assertThrows(ExecutionException.class, () -> response.get(10, TimeUnit.SECONDS));
        assertEquals(ContextState.FAILED, request.state());
        assertSame(e.getCause().getCause(), request.failure().orElseThrow(), "the IOException the client threw");
        assertInstanceOf(IOException.class, request.failure().orElseThrow());
    }

    @Test
    void anObservedErrorEndsTheContextFailedWithTheException() {
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicReference<Context> inside = new AtomicReference<>();
        assertThrows(IllegalStateException.class, () -> Observation.createNotStarted("payment", registry).observe(() -> {
            inside.set(Canopy.current());
            throw boom;
        }));
        assertEquals("test.observations.payment", inside.get().path());
        assertEquals(ContextState.FAILED, inside.get().state());
        assertSame(boom, inside.get().failure().orElseThrow());
        assertTrue(inside.get().isEnded());
    }

    @Test
    void withoutAParentObservationTheCurrentContextIsTheParent() {
        try (Context service = tree.root().child("billing").open(); Scope s = service.makeCurrent()) {
            Observation job = Observation.start("nightly.job", registry);
            assertEquals(1, tree.findByPath("test.billing.nightly_job").size(), tree.status()::toString);
            job.stop();
            assertEquals(List.of(), tree.findByPath("test.billing.nightly_job"));
        }
        Observation job = Observation.start("nightly.job", registry);
        assertEquals(1, tree.findByPath("test.observations.nightly_job").size(), "no current context: the root");
        job.stop();
    }

    @Test
    void theRootIsConfigurableAndABadOneIsRefusedWithItsValue() {
        ObservationRegistry r = ObservationRegistry.create();
        r.observationConfig().observationHandler(new CanopyObservationHandler(tree).withRoot("test.jobs.micrometer"));
        Observation o = Observation.start("sync", r);
        assertEquals(1, tree.findByPath("test.jobs.micrometer.sync").size(), tree.status()::toString);
        o.stop();

        IllegalArgumentException wrongRoot = assertThrows(IllegalArgumentException.class,
                () -> new CanopyObservationHandler(tree).withRoot("global.observations"));
        assertTrue(wrongRoot.getMessage().contains("\"global.observations\"") && wrongRoot.getMessage().contains("\"test\""),
                wrongRoot.getMessage());
        IllegalArgumentException emptySegment = assertThrows(IllegalArgumentException.class,
                () -> new CanopyObservationHandler(tree).withRoot("test..jobs"));
        assertTrue(emptySegment.getMessage().contains("\"test..jobs\""), emptySegment.getMessage());
    }

    @Test
    void valuesOfSecretLikeKeysAreRemovedFromFailureMessages() {
        Observation o = Observation.createNotStarted("payment.charge", registry)
                .lowCardinalityKeyValue("x-auth-token", "tok-abc-123")
                .highCardinalityKeyValue("session.id", "SESS-9876")
                .start();
        try (Observation.Scope scope = o.openScope()) {
            Context context = only("test.observations.payment_charge");
            try (Context call = Canopy.current().child("call").open()) {
                assertEquals("refused <redacted> in <redacted> for card 4242", call.withoutSecrets(
                        "refused tok-abc-123 in SESS-9876 for card 4242"), "the observation's secrets, from a child");
            }
            assertEquals("<redacted>", context.withoutSecrets("tok-abc-123"));
        } finally {
            o.stop();
        }
    }

    @Test
    void keyValuesAddedWhileTheObservationRunsShowAndSecretLikeOnesNever() {
        Observation o = Observation.createNotStarted("report.render", registry)
                .lowCardinalityKeyValue("format", "pdf")
                .start();
        String before = tree.status().toString();
        o.lowCardinalityKeyValue("pages", "12");
        o.lowCardinalityKeyValue("api_key", "hunter2");
        o.lowCardinalityKeyValue("session", "SESSION-ID-1");
        o.lowCardinalityKeyValue("x-auth", "AUTH-2");
        o.lowCardinalityKeyValue("http.url", "https://h/reports/7?access_token=TOKEN-3&page=2");
        o.contextualName("render pdf");
        String after = tree.status().toString();
        String json = tree.statusJson();
        o.stop();
        assertTrue(after.contains("page=2"), after);
        for (String secret : List.of("SESSION-ID-1", "AUTH-2", "TOKEN-3")) {
            assertFalse(after.contains(secret), after);
            assertFalse(json.contains(secret), json);
        }
        assertTrue(before.contains("report_render") && before.contains("observation=report.render"), before);
        assertTrue(before.contains("format=pdf") && !before.contains("pages="), before);
        assertTrue(after.contains("pages=12") && after.contains("contextualName=render pdf"), after);
        assertFalse(after.contains("hunter2"), after);
    }

    @Test
    void anObservationThatStoppedBeforeItsChildrenIsLetGoAndItsContextKeepsItsData() throws Exception {
        Observation o = Observation.createNotStarted("report.render", registry)
                .lowCardinalityKeyValue("format", "pdf").contextualName("render pdf").start();
        Context context;
        Context child;
        try (Observation.Scope ignored = o.openScope()) {
            context = Canopy.current();
            child = context.child("upload").open(); // outlives the observation
        }
        WeakReference<Observation.Context> gone = new WeakReference<>(o.getContext());
        o.stop();
        o = null;
        TestTrees.awaitTrue("the stopped observation is not kept reachable through its context", () -> {
            System.gc();
            return gone.get() == null;
        });
        assertFalse(context.isEnded(), "the context waits for its child");
        Map<String, String> data = context.dataJson();
        assertEquals("\"pdf\"", data.get("format"), data.toString());
        assertEquals("\"render pdf\"", data.get(CanopyObservationHandler.CONTEXTUAL_NAME_KEY), data.toString());
        child.close();
        assertTrue(context.isEnded());
    }

    @Test
    void anObservationNeverStoppedIsNotKeptReachableThroughItsContext() throws Exception {
        Observation o = Observation.createNotStarted("request", registry).lowCardinalityKeyValue("route", "/users")
                .start();
        o.getContext().put("carrier", new byte[1_000_000]); // what instrumentation keeps: the request, the response
        WeakReference<Observation.Context> forgotten = new WeakReference<>(o.getContext());
        Context context = tree.findByPath("test.observations.request").get(0);
        Map<String, String> data = context.dataJson();
        assertEquals("\"/users\"", data.get("route"), data.toString());
        o = null; // a missing stop(): the instrumentation's bug
        TestTrees.awaitTrue("the observation is collected although its context stays in the tree", () -> {
            System.gc();
            return forgotten.get() == null;
        });
        assertFalse(context.isEnded(), "the tree keeps a context never closed, so it stays visible");
        assertEquals(Map.of(), context.dataJson(), "its data went with the observation");
    }

    @Test
    void aHandlerRegisteredTwiceShowsEachObservationOnce() {
        ObservationRegistry twice = ObservationRegistry.create();
        CanopyObservationHandler handler = new CanopyObservationHandler(tree);
        twice.observationConfig().observationHandler(handler)
                .observationHandler(handler.withHighCardinalityKeyValues(true));
        long before = tree.statistics().created();
        for (int i = 0; i < 3; i++) {
            Observation.createNotStarted("work", twice).observe(() -> assertEquals("work", Canopy.current().name()));
        }
        assertEquals(3, tree.statistics().created() - before - 1, "one context each, and the observations parent");
        assertEquals(0, tree.statistics().live() - 2, "all ended: only the root and the parent stay");
    }

    @Test
    void highCardinalityValuesOnlyWhenAskedAndSecretLikeKeysNever() {
        Observation o = Observation.createNotStarted("login", registry)
                .lowCardinalityKeyValue("outcome", "SUCCESS")
                .lowCardinalityKeyValue("db.password", "hunter2")
                .highCardinalityKeyValue("user.id", "alice-42")
                .contextualName("user login")
                .start();
        String shown = tree.status().toString();
        o.stop();
        assertTrue(shown.contains("outcome=SUCCESS") && shown.contains("contextualName=user login"), shown);
        assertFalse(shown.contains("alice-42"), "high cardinality is off by default:\n" + shown);
        assertFalse(shown.contains("hunter2"), shown);

        ObservationRegistry r = ObservationRegistry.create();
        r.observationConfig().observationHandler(new CanopyObservationHandler(tree).withHighCardinalityKeyValues(true));
        Observation withHigh = Observation.createNotStarted("login", r)
                .highCardinalityKeyValue("user.id", "alice-42")
                .highCardinalityKeyValue("http.request.header.authorization", "Bearer xyz")
                .start();
        shown = tree.status().toString();
        withHigh.stop();
        assertTrue(shown.contains("user.id=alice-42"), shown);
        assertFalse(shown.contains("Bearer xyz"), shown);
    }

    @Test
    void oneObservationScopedOnTwoThreadsRestoresEachThreadsOwnContext() throws Exception {
        Context worker = tree.root().child("worker").open();
        Observation o = Observation.start("shared", registry);
        Context shared = only("test.observations.shared");
        CountDownLatch otherOpened = new CountDownLatch(1);
        CountDownLatch mainClosed = new CountDownLatch(1);
        AtomicReference<Context> otherInside = new AtomicReference<>();
        AtomicReference<Context> otherAfter = new AtomicReference<>();
        CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
            try (Scope outer = worker.makeCurrent()) {
                try (Observation.Scope s = o.openScope()) {
                    otherOpened.countDown();
                    await(mainClosed);
                    otherInside.set(Canopy.current()); // still the observation's, though main closed its scope first
                }
                otherAfter.set(Canopy.current());
            }
        }, caller);
        Context mainBefore = Canopy.current();
        try (Observation.Scope s = o.openScope()) {
            await(otherOpened);
            assertSame(shared, Canopy.current());
        }
        assertSame(mainBefore, Canopy.current(), "main's scope closed: main's own context is back");
        mainClosed.countDown();
        other.get(10, TimeUnit.SECONDS);
        assertSame(shared, otherInside.get());
        assertSame(worker, otherAfter.get(), "the other thread's scope closed: its own context is back");
        o.stop();
        worker.close();
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aTreeThatRefusesWorkNeverBreaksTheObservedCode() {
        ContextTree closed = ContextTree.builder().rootName("gone").build();
        ObservationRegistry r = ObservationRegistry.create();
        r.observationConfig().observationHandler(new CanopyObservationHandler(closed));
        closed.close();
        long before = BridgeFailures.count();
        assertEquals("done", Observation.createNotStarted("after.close", r).observe(() -> "done"));
        assertTrue(BridgeFailures.count() > before, "the refusal is counted");
    }

    @Test
    void theDefaultHandlerFollowsTheCurrentContextIntoAnotherTreeAndATreeBoundOneDoesNot() {
        ObservationRegistry followsCurrent = ObservationRegistry.create();
        followsCurrent.observationConfig().observationHandler(new CanopyObservationHandler());
        Observation outside = Observation.start("outside", followsCurrent);
        try {
            assertTrue(Canopy.tree().findByPath("global.observations.outside").size() == 1,
                    "with nothing current, the default tree's global.observations:\n" + Canopy.status());
        } finally {
            outside.stop();
        }

        Context work = tree.root().child("work").open();
        try (Scope s = work.makeCurrent()) {
            Observation inside = Observation.start("inside", followsCurrent);
            Observation bound = Observation.start("bound", registry);
            assertEquals(1, tree.findByPath("test.work.inside").size(), "the default handler follows:\n" + tree.status());
            assertEquals(List.of(), Canopy.tree().findByPath("global.observations.inside"));
            assertEquals(1, tree.findByPath("test.work.bound").size(), "a current context of the handler's own tree");
            Context boundContext = tree.findByPath("test.work.bound").get(0);
            String logged = bound.getContext().toString();
            assertTrue(logged.contains("canopy='Canopy context test.work.bound #" + boundContext.id() + "'"),
                    "what an application's log shows of the observation: " + logged);
            inside.stop();
            bound.stop();
        }
        ContextTree other = ContextTree.builder().rootName("other").build();
        try (Scope s = other.root().makeCurrent()) {
            Observation bound = Observation.start("bound", registry);
            assertEquals(1, tree.findByPath("test.observations.bound").size(),
                    "a handler made for a tree keeps to it:\n" + tree.status());
            bound.stop();
        } finally {
            other.close();
            work.close();
        }
    }

    /** Run through the JUnit launcher by the next test: an observation a test forgets to stop fails it. */
    @org.junit.jupiter.api.extension.ExtendWith(dev.canopy.junit.CanopyExtension.class)
    static class ObservingTests {
        static final ObservationRegistry REGISTRY = ObservationRegistry.create();

        static {
            REGISTRY.observationConfig().observationHandler(new CanopyObservationHandler());
        }

        @Test
        void stopsItsObservation() {
            Observation.createNotStarted("checkout", REGISTRY).observe(() -> assertEquals("test.checkout",
                    Canopy.current().path(), "the observation is a context of the test's tree"));
        }

        @Test
        void forgetsItsObservation() {
            Observation.start("forgotten.call", REGISTRY);
        }
    }

    @Test
    void aTestThatForgetsAnObservationFailsUnderTheExtensionWithTheDefaultHandler() {
        var request = org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
                .selectors(org.junit.platform.engine.discovery.DiscoverySelectors.selectClass(ObservingTests.class))
                .build();
        var listener = new org.junit.platform.launcher.listeners.SummaryGeneratingListener();
        org.junit.platform.launcher.core.LauncherFactory.create().execute(request, listener);
        var summary = listener.getSummary();
        assertEquals(2, summary.getTestsStartedCount());
        assertEquals(1, summary.getTestsFailedCount(), () -> summary.getFailures().toString());
        var failure = summary.getFailures().get(0);
        assertTrue(failure.getTestIdentifier().getDisplayName().startsWith("forgetsItsObservation"));
        String message = failure.getException().getMessage();
        assertTrue(message.contains("test.forgotten_call"), message);
        assertEquals(List.of(), Canopy.tree().findByPath("global.observations.forgotten_call"),
                "nothing went into the default tree");
    }
}
