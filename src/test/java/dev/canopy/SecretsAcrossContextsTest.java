package dev.canopy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** A secret one context stores is kept out of what any other context of the tree shows, while it is in the tree. */
class SecretsAcrossContextsTest {
    private final ContextTree tree = ContextTree.create();
    private final Context service = tree.root().child("service").open();

    @AfterEach
    void closeTree() {
        tree.close();
    }

    private String completionMessage(String path) {
        return tree.status().recentCompletions().stream().filter(c -> c.path().equals(path)).findFirst()
                .orElseThrow().message();
    }

    @Test
    void aRequestsFailureQuotingItsPoolsPasswordIsShownWithoutIt() {
        Context pool = service.child("db-pool").open();
        pool.setSecret("password", "pg-Secr3t!");
        Context request = service.child("request").persist().open();
        request.fail(new IllegalStateException("FATAL: password authentication failed (pg-Secr3t!) for app"));
        assertEquals("FATAL: password authentication failed (<redacted>) for app",
                completionMessage("global.service.request"));
        assertFalse(tree.statusJson().contains("pg-Secr3t"), tree.statusJson());
        Context retry = service.child("retry").open();
        Context attempt = retry.child("attempt").open();
        retry.cancel("pool refused pg-Secr3t!");
        assertEquals("pool refused <redacted>", attempt.cancellation().orElseThrow().reason(),
                "a cancel reason too, wherever in the tree the secret is");
    }

    @Test
    void secretsGivenToTheBuilderAndNestedValuesAreSearchedFor() {
        service.child("auth").withSecret("keys", Map.of("primary", "sk-live-4242", "backup", List.of("sk-old-17")))
                .open();
        Context call = service.child("call").open();
        assertEquals("tried <redacted>, then <redacted>", call.withoutSecrets("tried sk-live-4242, then sk-old-17"));
    }

    @Test
    void aKeyTheTreeRedactsIsSearchedForInOtherContexts() {
        try (ContextTree redacting = ContextTree.builder().rootName("r").redactKeys("password").build()) {
            Context pool = redacting.root().child("pool").open();
            pool.setData("Password", "letmein99");
            Context request = redacting.root().child("request").open();
            assertEquals("user admin / <redacted>", request.withoutSecrets("user admin / letmein99"));
        }
    }

    @Test
    void aReplacedOrRemovedSecretIsNoLongerSearchedFor() {
        Context pool = service.child("pool").open();
        Context request = service.child("request").open();
        pool.setSecret("token", "first-token");
        pool.setSecret("token", "second-token");
        assertEquals("first-token then <redacted>", request.withoutSecrets("first-token then second-token"));
        pool.setData("token", null);
        assertEquals("first-token then second-token", request.withoutSecrets("first-token then second-token"));
        assertEquals(0, tree.secretIndex().size());
    }

    @Test
    void aContextThatLeftTheTreeTakesItsSecretsAlong() {
        Context a = service.child("a").open();
        Context b = service.child("b").open();
        a.setSecret("token", "shared-token");
        b.setSecret("token", "shared-token");
        b.setSecret("own", "b-only-value");
        Context other = service.child("other").open();
        b.close();
        assertEquals("<redacted> b-only-value", other.withoutSecrets("shared-token b-only-value"),
                "a value another context still holds stays searched for");
        Context parent = a.child("parent").open();
        parent.setSecret("key", "parent-key-1");
        Context child = parent.child("child").open();
        parent.close();
        assertFalse(parent.isEnded(), "it waits for its child");
        assertEquals("<redacted>", other.withoutSecrets("parent-key-1"), "still in the tree while it waits");
        child.close();
        assertTrue(parent.isEnded());
        a.close();
        assertEquals("shared-token parent-key-1", other.withoutSecrets("shared-token parent-key-1"));
        assertEquals(0, tree.secretIndex().size(), "nothing of contexts that left the tree is kept");
        b.setSecret("late", "set-after-the-end");
        assertEquals(0, tree.secretIndex().size(), "nor what is stored after they left");
    }

    @Test
    void aRefusedChildKeepsNoSecretInTheTree() {
        Context ended = service.child("ended").open();
        ended.close();
        assertThrows(IllegalStateException.class,
                () -> ended.child("late").withSecret("token", "never-in-the-tree").open());
        assertEquals(0, tree.secretIndex().size());
    }

    @Test
    void secretsStoredWhileTheirContextEndsAreNotKept() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 500; round++) {
                Context c = service.child("c" + round).open();
                CyclicBarrier start = new CyclicBarrier(2);
                String value = "value-" + round;
                Future<?> store = threads.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    c.setSecret("token", value);
                    return null;
                });
                Future<?> end = threads.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    c.close();
                    return null;
                });
                store.get(10, TimeUnit.SECONDS);
                end.get(10, TimeUnit.SECONDS);
                assertEquals(0, tree.secretIndex().size(), "round " + round);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void manySecretsAreFoundByTheirFirstCharacters() {
        List<Context> sessions = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Context s = service.child("session").open();
            s.setSecret("cookie", "sess-" + i + "-x");
            sessions.add(s);
        }
        Context call = service.child("call").open();
        assertEquals("cookies <redacted> and <redacted>, not sess-2000-x",
                call.withoutSecrets("cookies sess-7-x and sess-1999-x, not sess-2000-x"));
        sessions.forEach(Context::close);
        assertEquals(0, tree.secretIndex().size());
    }
}
