package dev.canopy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A JVM whose tree changes only when told, for tests that record it from outside and need to know what happened
 * when. It reads one command per line from standard input and answers {@code done <command>} once the change has
 * happened (so the change lies between the test's writing the command and reading the answer):
 * <pre>
 * open-phase    opens global.service.phase
 * hold          a task global.service.holder takes "shared-lock" and keeps it
 * wait          a task global.service.waiter waits for "shared-lock" (answered once it waits)
 * release       the holder lets go; the waiter gets the lock, and both tasks end
 * cancel        a task global.service.doomed is cancelled with the reason "operator pulled the plug"
 * close-phase   closes global.service.phase
 * </pre>
 * At start it opens global.service and global.service.keeper, which stay open.
 */
public final class ScriptedTreeApp {
    static final String CANCEL_REASON = "operator pulled the plug";

    private ScriptedTreeApp() {
    }

    public static void main(String[] args) throws Exception {
        Context service = Canopy.global().child("service").open();
        Context keeper = service.child("keeper").open();
        NamedLock shared = service.mutex("shared-lock");
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        Context phase = null;
        Task<?> holder = null;
        Task<?> waiter = null;
        System.out.println("Scripted tree running as pid " + ProcessHandle.current().pid());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String command; (command = in.readLine()) != null; ) {
            switch (command.strip()) {
                case "open-phase" -> phase = service.child("phase").open();
                case "hold" -> {
                    holder = service.spawnChild("holder", ctx -> {
                        try (var h = shared.acquire()) {
                            held.countDown();
                            letGo.await();
                        }
                        return null;
                    });
                    await(held);
                }
                case "wait" -> {
                    waiter = service.spawnChild("waiter", ctx -> {
                        try (var h = shared.acquire()) {
                            return null;
                        }
                    });
                    Context waiting = waiter.context();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (waiting.awaitedLocks().isEmpty()) { // its wait is visible only once it parks
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("the waiter never waited");
                        }
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                }
                case "release" -> {
                    letGo.countDown();
                    holder.join();
                    waiter.join();
                }
                case "cancel" -> {
                    CountDownLatch running = new CountDownLatch(1);
                    Task<?> doomed = service.spawnChild("doomed", ctx -> {
                        running.countDown();
                        ctx.awaitCancellation();
                        return null;
                    });
                    await(running);
                    doomed.context().cancel(CANCEL_REASON);
                    doomed.context().ended().get(30, TimeUnit.SECONDS);
                }
                case "close-phase" -> phase.close();
                default -> throw new IllegalArgumentException("unknown command: " + command);
            }
            System.out.println("done " + command.strip());
            System.out.flush();
        }
        keeper.close();
        service.close();
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("timed out");
        }
    }
}
