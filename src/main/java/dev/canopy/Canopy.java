package dev.canopy;

import dev.canopy.status.CompletedContext;
import dev.canopy.status.Deadlock;
import dev.canopy.status.LockSnapshot;
import dev.canopy.status.Status;
import dev.canopy.status.Warning;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Entry point to the application's default {@link ContextTree}.
 * <pre>{@code
 * Context svc = Canopy.global().child("remote-access").open();
 * Context mine = Canopy.current();   // the context this code runs in, global when none
 * }</pre>
 */
public final class Canopy {
    private static final Object LOCK = new Object();
    private static volatile ContextTree defaultTree;
    private static Consumer<ContextTree.Builder> configuration = b -> { };

    private Canopy() {
    }

    /**
     * Configures the default tree; must be called before anything uses it (typically first thing in {@code main}).
     *
     * @throws IllegalStateException if the default tree already exists
     */
    public static void configure(Consumer<ContextTree.Builder> configurer) {
        Objects.requireNonNull(configurer, "configurer");
        synchronized (LOCK) {
            if (defaultTree != null) {
                throw new IllegalStateException("Canopy.configure must be called before the default tree is first used");
            }
            configuration = configurer;
        }
    }

    /** The default tree, created on first use. */
    public static ContextTree tree() {
        ContextTree t = defaultTree;
        if (t == null) {
            synchronized (LOCK) {
                t = defaultTree;
                if (t == null) {
                    ContextTree.Builder b = ContextTree.builder().defaultTree();
                    configuration.accept(b);
                    t = b.build();
                    defaultTree = t;
                }
            }
        }
        return t;
    }

    /** The root of the default tree, named "global". */
    public static Context global() {
        return tree().root();
    }

    /**
     * The context the running code belongs to: the task's own context inside a spawned task, the context of the
     * innermost {@link Context#makeCurrent()} scope or {@link Context#wrap wrapped} call, otherwise {@link #global()}.
     */
    public static Context current() {
        Context c = CurrentContext.get();
        return c != null ? c : global();
    }

    /** The default tree's counters: {@code Canopy.counters().total("global.remote-access.connections")}. */
    public static Counters counters() {
        return tree().counters();
    }

    /** A snapshot of the default tree; see {@link ContextTree#status()}. */
    public static Status status() {
        return tree().status();
    }

    /** The default tree's status as JSON; see {@link Status#toJson()}. */
    public static String statusJson() {
        return tree().statusJson();
    }

    /** Status updates of the default tree on change, at most once a second; see {@link ContextTree#statusStream(Duration)}. */
    public static java.util.concurrent.Flow.Publisher<Status> statusStream() {
        return tree().statusStream();
    }

    /** Status updates of the default tree on change, at most once per {@code minInterval}. */
    public static java.util.concurrent.Flow.Publisher<Status> statusStream(Duration minInterval) {
        return tree().statusStream(minInterval);
    }

    /** The default tree's named locks; see {@link ContextTree#locks()}. */
    public static List<LockSnapshot> locks() {
        return tree().locks();
    }

    /** Deadlocks in the default tree and the JVM; see {@link ContextTree#deadlocks()}. */
    public static List<Deadlock> deadlocks() {
        return tree().deadlocks();
    }

    /** The default tree's warnings, most severe first; see {@link ContextTree#warnings()}. */
    public static List<Warning> warnings() {
        return tree().warnings();
    }

    /** The default tree's recent persisted completions, newest first. */
    public static List<CompletedContext> recentCompletions() {
        return tree().recentCompletions();
    }

    /** Installs the default tree's shutdown hook; see {@link ContextTree#installShutdownHook(Duration)}. */
    public static boolean installShutdownHook(Duration grace) {
        return tree().installShutdownHook(grace);
    }
}
