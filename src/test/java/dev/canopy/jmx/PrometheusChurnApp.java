package dev.canopy.jmx;

import dev.canopy.Canopy;
import dev.canopy.Context;
import dev.canopy.Held;
import dev.canopy.NamedLock;
import dev.canopy.NamedSemaphore;
import dev.canopy.Scope;
import dev.canopy.WarningThresholds;
import dev.canopy.status.Warning;
import dev.canopy.status.WarningKind;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * A proxy that churns request contexts, run in a JVM of its own under the Prometheus JMX exporter agent by
 * {@code PrometheusExporterTest}. It reads one command per line on standard input and answers on standard output:
 * <ul>
 *   <li>{@code churn N}: opens N {@code request} contexts under {@code global.http-proxy} on four worker threads;
 *       each takes a permit of the {@code upstream-connections} semaphore and one of two locks both named
 *       {@code route-table}, and counts. They stay open; the answer {@code inflight N} comes once the JMX scan has
 *       given every live context a bean of its own, so a scrape then faces them all.</li>
 *   <li>{@code release}: ends them (every 10th fails, every 25th is cancelled, the rest complete) and answers
 *       {@code churned <requests so far>}.</li>
 *   <li>{@code stick}: a waiter stuck behind a lock held for good, a request queued for the exhausted
 *       {@code upstream-connections} pool, and a deadlock; answers {@code stuck} once the warnings show them.</li>
 *   <li>{@code status}: answers {@code status <Canopy.statusJson()>} on one line.</li>
 * </ul>
 * Run it with {@code -Dcanopy.jmx.mode=ALL}: every context gets a bean soon after it opens.
 */
public final class PrometheusChurnApp {
    /** Context data marked secret: it must reach no metric and no label. */
    static final String SECRET = "s3cret-api-key-never-exported";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Context proxy;
    private final NamedSemaphore upstream;
    private final NamedLock[] routes;
    private final ExecutorService workers = Executors.newFixedThreadPool(4, daemon("worker"));
    private final List<Context> inflight = new ArrayList<>();
    private int requests;

    private PrometheusChurnApp() {
        proxy = Canopy.global().child("http-proxy").withData("listen", "127.0.0.1:8080")
                .withSecret("api-key", SECRET).open();
        upstream = proxy.semaphore("upstream-connections", 2);
        // two locks that share a name and a path: Prometheus sees them as one series, added up
        routes = new NamedLock[]{proxy.mutex("route-table"), proxy.mutex("route-table")};
    }

    public static void main(String[] args) throws Exception {
        // short thresholds, so `stick` turns into warnings within a second
        Canopy.configure(b -> b.warningThresholds(new WarningThresholds(Duration.ofMillis(200),
                Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofMinutes(5))).deadlockCheckPeriod(Duration.ofMillis(50)));
        PrometheusChurnApp app = new PrometheusChurnApp();
        System.out.println("Prometheus churn app running as pid " + ProcessHandle.current().pid());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.strip().split(" ");
            switch (words[0]) {
                case "churn" -> app.churn(Integer.parseInt(words[1]));
                case "release" -> app.release();
                case "stick" -> app.stick();
                case "status" -> System.out.println("status " + Canopy.statusJson());
                default -> throw new IllegalArgumentException("unknown command: " + line);
            }
            System.out.flush();
        }
    }

    private void churn(int n) throws Exception {
        List<Future<Context>> opened = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int number = requests + i;
            opened.add(workers.submit(() -> handle(number)));
        }
        for (Future<Context> f : opened) {
            inflight.add(f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        requests += n;
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        List<ObjectName> beans = new ArrayList<>();
        for (Context request : inflight) {
            beans.add(new ObjectName("dev.canopy:type=Context,l0=global,l1=http-proxy,l2=request,name=request#"
                    + request.id()));
        }
        awaitTrue("a bean for every request in flight", () -> beans.stream().allMatch(server::isRegistered));
        System.out.println("inflight " + n);
    }

    private Context handle(int number) throws InterruptedException {
        Context request = proxy.child("request").persist().withData("peer", "10.0.0." + number % 250).open();
        try (Scope s = request.makeCurrent();
             Held permit = upstream.permit();
             Held route = routes[number % 2].acquire()) {
            request.incrementLive("inflight");
            request.incrementTotal("bytes", number % 100);
            proxy.incrementTotal("requests");
        }
        return request;
    }

    private void release() {
        int number = requests - inflight.size();
        for (Context request : inflight) {
            if (number % 10 == 3) {
                request.fail(new IllegalStateException("upstream returned 502"));
            } else if (number % 25 == 7) {
                request.cancel("client went away");
                request.close();
            } else {
                request.close();
            }
            number++;
        }
        inflight.clear();
        System.out.println("churned " + requests);
    }

    private void stick() throws Exception {
        ExecutorService threads = Executors.newCachedThreadPool(daemon("stuck"));
        Context remote = Canopy.global().child("remote-access").withExecutor(threads).open();
        Context alice = remote.child("alice").open();
        NamedLock output = alice.mutex("session-output-lock");
        CountDownLatch held = new CountDownLatch(1);
        alice.spawnChild("stdout-handler", c -> {
            try (Held h = output.acquire()) {
                held.countDown();
                new CountDownLatch(1).await(); // a slow terminal that never drains
            }
            return null;
        });
        held.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        alice.spawnChild("stderr-stream", c -> {
            try (Held h = output.acquire()) {
                return null;
            }
        });

        Context billing = Canopy.global().child("billing").withExecutor(threads).open();
        NamedLock a = billing.mutex("ledger-a");
        NamedLock b = billing.mutex("ledger-b");
        CyclicBarrier both = new CyclicBarrier(2);
        billing.spawnChild("debit", c -> {
            try (Held x = a.acquire()) {
                both.await();
                try (Held y = b.acquire()) {
                    return null;
                }
            }
        });
        billing.spawnChild("credit", c -> {
            try (Held x = b.acquire()) {
                both.await();
                try (Held y = a.acquire()) {
                    return null;
                }
            }
        });
        // the upstream pool exhausted: a bulk upload holds both permits for good, and a request queues for one
        Context upload = proxy.child("bulk-upload").withExecutor(threads).open();
        CountDownLatch pinned = new CountDownLatch(1);
        upload.spawnChild("send", c -> {
            upstream.acquire(2);
            pinned.countDown();
            new CountDownLatch(1).await();
            return null;
        });
        pinned.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        proxy.child("queued").withExecutor(threads).open().spawnChild("request", c -> {
            try (Held permit = upstream.permit()) {
                return null;
            }
        });
        // four locks held for good, four waiters stuck behind them, one cycle among two of them
        awaitTrue("the deadlock and the stuck waiters as warnings", () -> {
            Map<WarningKind, Long> byKind = Canopy.warnings().stream()
                    .collect(Collectors.groupingBy(Warning::kind, Collectors.counting()));
            return byKind.getOrDefault(WarningKind.DEADLOCK, 0L) == 1
                    && byKind.getOrDefault(WarningKind.STUCK_WAITER, 0L) == 4
                    && byKind.getOrDefault(WarningKind.LONG_HELD, 0L) == 4;
        });
        System.out.println("stuck");
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // a bounded poll of a condition, not a guess
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
