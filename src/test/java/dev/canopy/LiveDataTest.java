package dev.canopy;

import dev.canopy.jmx.JmxExporter;
import dev.canopy.jmx.JmxPolicy;
import dev.canopy.status.ContextStatus;
import dev.canopy.status.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class LiveDataTest {
    private final ContextTree tree = ContextTree.builder().rootName("live").redactKeys("authorization").build();

    @AfterEach
    void closeTree() {
        tree.close();
    }

    private static ContextStatus find(Status s, String path) {
        return find(s.root(), path);
    }

    private static ContextStatus find(ContextStatus c, String path) {
        if (c.path().equals(path)) {
            return c;
        }
        for (ContextStatus child : c.children()) {
            if (path.startsWith(child.path())) {
                return find(child, path);
            }
        }
        throw new AssertionError(path + " not in the status");
    }

    @Test
    void valuesAreReadWhenShownSoChangesWhileTheWorkRunsAreSeen() {
        AtomicInteger bytes = new AtomicInteger(10);
        Context c = tree.root().child("request").withLiveData(out -> {
            out.accept("method", "GET");
            out.accept("bytesRead", bytes.get());
        }).open();
        assertEquals(Map.of("bytesRead", "10", "method", "\"GET\""), c.dataJson());
        bytes.set(4096);
        assertEquals("4096", c.getDataJson("bytesRead").orElseThrow());
        assertEquals(4096, c.getData("bytesRead", Integer.class).orElseThrow());
        assertEquals(Map.of("bytesRead", "4096", "method", "\"GET\""), find(tree.status(), "live.request").data());
        assertTrue(tree.status().toJson().contains("\"bytesRead\":4096"), tree.status().toJson());
        assertTrue(c.getDataJson("missing").isEmpty());
        c.close();
    }

    @Test
    void storedDataWinsOverALiveValueWithTheSameKey() {
        Context c = tree.root().child("request").withData("method", "POST")
                .withLiveData(out -> {
                    out.accept("method", "GET");
                    out.accept("path", "/a");
                }).open();
        assertEquals(Map.of("method", "\"POST\"", "path", "\"/a\""), c.dataJson());
        assertEquals("\"POST\"", c.getDataJson("method").orElseThrow());
        c.setData("path", "/b");
        assertEquals("\"/b\"", c.getDataJson("path").orElseThrow());
        c.close();
    }

    @Test
    void removingAKeyHidesItsLiveValueUntilItIsSetAgain() {
        Context c = tree.root().child("request").withLiveData(out -> {
            out.accept("url", "https://example.com/?session=abc");
            out.accept("method", "GET");
        }).open();
        c.setData("url", null); // e.g. scrubbing what the instrumentation put there
        assertEquals(Map.of("method", "\"GET\""), c.dataJson());
        assertTrue(c.getDataJson("url").isEmpty());
        assertFalse(tree.status().toJson().contains("session=abc"));
        c.setData("url", "https://example.com/");
        assertEquals("\"https://example.com/\"", c.getDataJson("url").orElseThrow());
        c.close();
    }

    @Test
    void aSingleKeyIsLookedUpThroughTheSourcesOwnLookup() {
        AtomicInteger described = new AtomicInteger();
        LiveData source = new LiveData() {
            @Override
            public void describe(java.util.function.BiConsumer<String, Object> out) {
                described.incrementAndGet();
                out.accept("id", "a-1");
            }

            @Override
            public Object value(String key) {
                return key.equals("id") ? "a-1" : null;
            }
        };
        Context c = tree.root().child("request").withLiveData(source).open();
        assertEquals("\"a-1\"", c.getDataJson("id").orElseThrow());
        assertTrue(c.getDataJson("other").isEmpty());
        assertEquals(0, described.get(), "a lookup of one key did not describe everything");
        assertEquals(Map.of("id", "\"a-1\""), c.dataJson());
        assertEquals(1, described.get());
        c.close();
    }

    @Test
    void liveSecretsAreRedactedWhereverTheyLeaveTheProcess() throws Exception {
        String secret = "hunter2-" + System.nanoTime();
        JmxExporter jmx = JmxExporter.create(JmxPolicy.defaults().withMode(JmxPolicy.Mode.ALL)
                .withDomain("dev.canopy.livedata"));
        try (ContextTree t = ContextTree.builder().rootName("secrets").redactKeys("authorization").listener(jmx)
                .build()) {
            Context c = t.root().child("login").persist().withLiveData(out -> {
                out.accept("authorization", secret); // a configured key
                out.accept("token", "not the stored one");
                out.accept("user", "alice");
            }).open();
            c.setSecret("token", secret); // stored data wins, and stays a secret
            assertEquals(Map.of("authorization", Json.REDACTED_JSON, "token", Json.REDACTED_JSON,
                    "user", "\"alice\""), c.dataJson());
            assertEquals(secret, c.getData("token", String.class).orElseThrow(), "readable in-process");
            assertFalse(t.status().toJson().contains(secret));
            jmx.refresh();
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            String shown = (String) server.getAttribute(jmx.contextBeanName(c), "Data");
            assertTrue(shown.contains("alice"), shown);
            assertFalse(shown.contains(secret), shown);
            c.close();
            assertFalse(t.recentCompletions().toString().contains(secret));
        }
    }

    @Test
    void aPersistedContextKeepsItsLiveDataAsItWasWhenItEnded() {
        AtomicReference<String> stage = new AtomicReference<>("reading");
        Context c = tree.root().child("job").persist().withLiveData(out -> out.accept("stage", stage.get())).open();
        stage.set("done");
        c.close();
        stage.set("reused elsewhere");
        assertEquals(Map.of("stage", "\"done\""), tree.recentCompletions().get(0).data());
    }

    @Test
    void aMisbehavingSourceCostsTheReaderEntriesNeverItsAnswer() {
        Context throwing = tree.root().child("throwing").withLiveData(out -> {
            out.accept("first", 1);
            throw new IllegalStateException("source broke");
        }).open();
        Context refused = tree.root().child("refused").withLiveData(out -> {
            out.accept("bad\nkey", 1);
            out.accept(null, 2);
            out.accept("huge", "x".repeat(Json.MAX_VALUE_CHARS + 1));
            out.accept("cyclic", new Object() {
                @SuppressWarnings("unused")
                public Object getSelf() {
                    return this;
                }
            });
            out.accept("kept", true);
        }).open();
        assertEquals(Map.of("first", "1"), throwing.dataJson());
        assertEquals(Map.of("kept", "true"), refused.dataJson());
        assertTrue(refused.getDataJson("huge").isEmpty());
        Status s = tree.status();
        assertEquals(Map.of("first", "1"), find(s, "live.throwing").data());
        assertEquals(Map.of("kept", "true"), find(s, "live.refused").data());
        throwing.close();
        refused.close();
    }

    @Test
    void aMissingSourceIsRefusedWithItsName() {
        ContextBuilder b = tree.root().child("request");
        NullPointerException e = assertThrows(NullPointerException.class, () -> b.withLiveData(null));
        assertTrue(e.getMessage().contains("live data"), e.getMessage());
        assertTrue(tree.root().children().isEmpty(), "nothing opened");
    }
}
