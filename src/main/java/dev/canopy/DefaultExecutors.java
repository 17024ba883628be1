package dev.canopy;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The executor tasks run on unless the user gives one: a virtual thread per task where the running JDK has
 * them (21+), found at run time so one jar serves JDK 17 and later; otherwise a shared pool of daemon threads.
 */
final class DefaultExecutors {
    private DefaultExecutors() {
    }

    private static final class Holder {
        static final ExecutorService SHARED = create();
    }

    static ExecutorService shared() {
        return Holder.SHARED;
    }

    static boolean isVirtual(ExecutorService executor) {
        return !(executor instanceof ThreadPoolExecutor);
    }

    private static ExecutorService create() {
        if (Runtime.version().feature() >= 21) {
            try {
                Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
                Class<?> builderType = Class.forName("java.lang.Thread$Builder");
                builder = builderType.getMethod("name", String.class, long.class).invoke(builder, "canopy-", 0L);
                ThreadFactory factory = (ThreadFactory) builderType.getMethod("factory").invoke(builder);
                Method perTask = Executors.class.getMethod("newThreadPerTaskExecutor", ThreadFactory.class);
                return (ExecutorService) perTask.invoke(null, factory);
            } catch (ReflectiveOperationException | RuntimeException e) {
                System.getLogger(DefaultExecutors.class.getName()).log(System.Logger.Level.WARNING,
                        "virtual threads unavailable on JDK " + Runtime.version() + ", using platform threads", e);
            }
        }
        return platformPool();
    }

    /** Unbounded like a thread per task: tasks may block for a long time, so a fixed pool could starve. */
    static ExecutorService platformPool() {
        AtomicLong count = new AtomicLong();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "canopy-task-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), factory);
    }
}
