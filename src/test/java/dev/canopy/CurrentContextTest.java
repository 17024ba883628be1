package dev.canopy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static dev.canopy.TestTrees.WAIT;
import static org.junit.jupiter.api.Assertions.*;

class CurrentContextTest {
    private final ContextTree tree = ContextTree.create();
    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    @AfterEach
    void cleanUp() {
        pool.shutdownNow();
        tree.close();
    }

    @Test
    void globalWhenNothingIsCurrent() throws Exception {
        assertSame(Canopy.global(), Canopy.current());
        assertSame(Canopy.global(), pool.submit(Canopy::current).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals("global", Canopy.global().name());
    }

    @Test
    void scopesNestAndRestore() {
        Context a = tree.root().child("a").open();
        Context b = a.child("b").open();
        try (Scope outer = a.makeCurrent()) {
            assertSame(a, Canopy.current());
            try (Scope inner = b.makeCurrent()) {
                assertSame(b, Canopy.current());
            }
            assertSame(a, Canopy.current());
        }
        assertSame(Canopy.global(), Canopy.current());
    }

    @Test
    void scopeIsRestoredWhenTheBodyThrows() {
        Context a = tree.root().child("a").open();
        assertThrows(IllegalStateException.class, () -> {
            try (Scope s = a.makeCurrent()) {
                throw new IllegalStateException();
            }
        });
        assertSame(Canopy.global(), Canopy.current());
    }

    @Test
    void wrapCarriesTheContextIntoExecutorsTheUserOwns() throws Exception {
        Context session = tree.root().child("session").open();
        CompletableFuture<Context> fromRunnable = new CompletableFuture<>();
        pool.execute(session.wrap((Runnable) () -> fromRunnable.complete(Canopy.current())));
        assertSame(session, fromRunnable.get(WAIT.toSeconds(), TimeUnit.SECONDS));

        Callable<Context> callable = session.wrap((Callable<Context>) Canopy::current);
        assertSame(session, pool.submit(callable).get(WAIT.toSeconds(), TimeUnit.SECONDS));

        CompletableFuture<Context> fromExecutor = new CompletableFuture<>();
        session.wrap(pool).execute(() -> fromExecutor.complete(Canopy.current()));
        assertSame(session, fromExecutor.get(WAIT.toSeconds(), TimeUnit.SECONDS));

        // the pool thread is left as it was
        assertSame(Canopy.global(), pool.submit(Canopy::current).get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void spawnedTasksSeeTheirOwnContextNotTheSpawners() {
        Context svc = tree.root().child("svc").open();
        try (Scope s = svc.makeCurrent()) {
            Context inChild = svc.spawnChild("child", ctx -> Canopy.current()).join();
            assertEquals("global.svc.child", inChild.path());
            Context other = tree.root().child("other").open();
            assertSame(other, other.spawn(Canopy::current).join());
        }
    }
}
