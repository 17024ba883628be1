package dev.canopy.demo;

import dev.canopy.status.RenderOptions;
import dev.canopy.status.Status;

import dev.canopy.Canopy;
import dev.canopy.Context;
import dev.canopy.Held;
import dev.canopy.MetricValue;
import dev.canopy.NamedLock;
import dev.canopy.NamedSemaphore;
import dev.canopy.Operation;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Builds the example tree of the fastn-context design (remote access with sessions and handlers, an HTTP proxy,
 * a chat service), keeps it busy, and prints its status whenever it changes (at most once per interval) until
 * stopped.
 *
 * <pre>
 *   mvn -q compile exec:exec                 # run until Ctrl-C
 *   ... Demo --duration 10s --interval 2s    # stop by itself (used by tests)
 * </pre>
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) throws InterruptedException {
        Duration runFor = null;
        Duration interval = Duration.ofSeconds(2);
        boolean quiet = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--duration" -> runFor = parseDuration("--duration", valueOf(args, ++i, "--duration"));
                case "--interval" -> interval = parseDuration("--interval", valueOf(args, ++i, "--interval"));
                case "--quiet" -> quiet = true;
                default -> throw new IllegalArgumentException("unknown demo option " + args[i]
                        + " (usage: demo [--duration 30s] [--interval 2s] [--quiet])");
            }
        }
        Canopy.installShutdownHook(Duration.ofSeconds(2));
        Context global = Canopy.global();
        startRemoteAccess(global);
        startHttpProxy(global);
        startChat(global);

        // printed once the tree stands, so whoever waits for this line finds it built
        long pid = ProcessHandle.current().pid();
        System.out.println("Canopy demo running as pid " + pid + " (Ctrl-C to stop)");
        System.out.println("  bin/canopy status " + pid + "    |    jconsole " + pid + "    |    jcmd " + pid + " Thread.print");
        System.out.flush();

        RenderOptions options = RenderOptions.forTerminal();
        // the status stream publishes only when the tree changed, at most once per interval
        java.util.concurrent.atomic.AtomicReference<Flow.Subscription> printing = new java.util.concurrent.atomic.AtomicReference<>();
        if (!quiet) {
            Canopy.statusStream(interval).subscribe(new Flow.Subscriber<Status>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    printing.set(subscription);
                    subscription.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Status status) {
                    System.out.println();
                    System.out.print(status.render(options));
                    System.out.flush();
                }

                @Override
                public void onError(Throwable t) {
                    System.err.println("status stream failed: " + t);
                }

                @Override
                public void onComplete() {
                }
            });
        }
        if (runFor == null) {
            new java.util.concurrent.CountDownLatch(1).await(); // until Ctrl-C
        }
        TimeUnit.NANOSECONDS.sleep(runFor.toNanos());
        Flow.Subscription subscription = printing.get();
        if (subscription != null) {
            subscription.cancel();
        }
        boolean drained = Canopy.tree().shutdown("demo finished", Duration.ofSeconds(5));
        System.out.println("demo stopped" + (drained ? "" : " (some contexts still running)"));
    }

    private static void startRemoteAccess(Context global) {
        Context remote = global.child("remote-access").withData("port", 2222).open();
        // a long-lived service closes when cancelled (shutdown), so the tree can drain
        remote.onCancel(remote::close);
        openSession(remote, "alice@bv478gen", "alice", "bash");
        openSession(remote, "bob@p2nd7avq", "bob", "ls -la");
        // short sessions that come and go; one path for all of them keeps the counter keys bounded
        remote.spawn(() -> {
            int n = 0;
            while (!remote.isCancelled()) {
                String peer = "guest" + (++n);
                try (Context session = remote.child("guest-session")
                        .withData("peer", peer + "@" + Integer.toHexString(n * 7919))
                        .withTimeout(Duration.ofSeconds(20)).persist().open()) {
                    remote.incrementTotal("connections");
                    session.incrementLive("connections");
                    session.spawnChild("command-executor", ctx -> {
                        ctx.setData("command", "uptime");
                        ctx.incrementTotal("commands");
                        pause(ctx, 1500);
                        return 0;
                    }).join();
                }
                pause(remote, 3000);
            }
        });
    }

    private static void openSession(Context remote, String name, String peer, String shell) {
        Context session = remote.child(name)
                .withData("peer", peer).withData("shell", shell)
                .withTimeout(Duration.ofMinutes(30))
                .open();
        session.onCancel(session::close);
        remote.incrementTotal("connections");
        session.incrementLive("connections");   // given back automatically when the session ends
        NamedLock output = session.mutex("session-output-lock");
        boolean slow = peer.equals("alice"); // alice's terminal is slow: stdout holds the lock a long time
        session.spawnChild("stdout-handler", ctx -> {
            long bytes = 0;
            while (!ctx.isCancelled()) {
                try (Held held = output.acquire()) {
                    bytes += ThreadLocalRandom.current().nextInt(512, 4096);
                    ctx.addMetric("bytes", MetricValue.bytes(bytes));
                    pause(ctx, slow ? 12_000 : 100);
                }
                pause(ctx, slow ? 500 : 250);
            }
            return bytes;
        });
        session.child("stderr-stream").withMetric("bytes", MetricValue.bytes(0)).spawn(ctx -> {
            // writes rarely, so it shows idle; on alice's session it waits for the output lock
            long bytes = 0;
            while (!ctx.isCancelled()) {
                pause(ctx, 2_000);
                try (Held held = output.acquire()) {
                    bytes += ThreadLocalRandom.current().nextInt(100, 2000);
                    ctx.addMetric("bytes", MetricValue.bytes(bytes));
                }
            }
            return null;
        });
    }

    private static void startHttpProxy(Context global) {
        Context proxy = global.child("http-proxy").withData("listen", "0.0.0.0:8080").open();
        proxy.onCancel(proxy::close);
        Context pool = proxy.child("connection-pool").withMetric("connections", MetricValue.counter(45)).open();
        pool.onCancel(pool::close);
        NamedSemaphore upstream = pool.semaphore("upstream-connections", 6);
        proxy.spawn(() -> {
            while (!proxy.isCancelled()) {
                proxy.incrementTotal("requests");
                proxy.child("request").withData("path", "/api/items/" + ThreadLocalRandom.current().nextInt(1000))
                        .persist()   // counts global.http-proxy.request.completed / failed / cancelled
                        .spawn(ctx -> {
                            ctx.incrementLive("inflight");
                            try (Held permit = upstream.permit();
                                 Operation op = ctx.operation("await upstream response")) {
                                pause(ctx, ThreadLocalRandom.current().nextInt(200, 3000));
                            }
                            if (ThreadLocalRandom.current().nextInt(20) == 0) {
                                throw new IllegalStateException("upstream returned 502");
                            }
                            return 200;
                        });
                pool.touch();
                pause(proxy, 300);
            }
        });
    }

    private static void startChat(Context global) {
        Context chat = global.child("chat-service").open();
        chat.onCancel(chat::close);
        chat.spawnChild("presence-monitor", ctx -> {
            int users = 15;
            while (!ctx.isCancelled()) {
                users = Math.max(1, users + ThreadLocalRandom.current().nextInt(-2, 3));
                ctx.addMetric("users", MetricValue.gauge(users));
                pause(ctx, 1000);
            }
            return null;
        });
        chat.spawnChild("message-relay", ctx -> {
            long messages = 4_500;
            while (!ctx.isCancelled()) {
                messages += ThreadLocalRandom.current().nextInt(1, 20);
                ctx.addMetric("messages", MetricValue.counter(messages));
                pause(ctx, 500);
            }
            return null;
        });
    }

    /** Waits {@code millis}, returning early (without an exception) when the context is cancelled. */
    private static void pause(Context ctx, long millis) {
        try {
            ctx.awaitCancellation(Duration.ofMillis(millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String valueOf(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value (try 30s, 500ms, 2m)");
        }
        return args[i];
    }

    static Duration parseDuration(String option, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Duration d;
        try {
            if (t.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            } else if (t.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            } else if (t.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            } else {
                d = Duration.ofSeconds(Long.parseLong(t));
            }
        } catch (NumberFormatException e) {
            d = Duration.ZERO;
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(option + " takes a positive duration like 30s, 500ms, 2m, not \""
                    + text + "\"");
        }
        return d;
    }
}
