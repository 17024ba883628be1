package dev.canopy.jmx;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.FakeClock;
import dev.canopy.NamedLock;
import dev.canopy.NamedSemaphore;
import dev.canopy.Scope;
import dev.canopy.Task;
import dev.canopy.TestTrees;
import dev.canopy.status.Status;
import dev.canopy.status.WarningKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.management.JMX;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.canopy.TestTrees.awaitTrue;
import static org.junit.jupiter.api.Assertions.*;

/** The registry's numbers for monitoring systems, the read-only status, lock bean caps and operation parameters. */
class RegistryForMonitoringTest {
    private static final AtomicInteger DOMAINS = new AtomicInteger();
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final FakeClock clock = new FakeClock();
    private final String domain = "dev.canopy.monitoring" + DOMAINS.incrementAndGet();
    private ContextTree tree;
    private JmxExporter jmx;

    private ContextTree tree(JmxPolicy policy) {
        jmx = JmxExporter.create(policy.withDomain(domain));
        tree = ContextTree.builder().clock(clock).listener(jmx).build();
        return tree;
    }

    private ObjectName registry() throws Exception {
        return new ObjectName(domain + ":type=Registry");
    }

    private RegistryViewMXBean proxy() throws Exception {
        return JMX.newMXBeanProxy(server, registry(), RegistryViewMXBean.class);
    }

    @AfterEach
    void closeTree() throws Exception {
        if (tree != null) {
            tree.close();
            assertEquals(Set.of(), server.queryNames(new ObjectName(domain + ":*"), null));
        }
    }

    @Test
    void theStatusJsonIsAReadOnlyAttributeAsWellAsAnOperation() throws Exception {
        ContextTree t = tree(JmxPolicy.defaults().withReadOnly(true));
        t.root().child("svc").withSecret("token", "hunter2").open();
        MBeanAttributeInfo info = Arrays.stream(server.getMBeanInfo(registry()).getAttributes())
                .filter(a -> a.getName().equals("StatusJson")).findFirst().orElseThrow();
        assertTrue(info.isReadable());
        assertFalse(info.isWritable());
        String json = (String) server.getAttribute(registry(), "StatusJson");
        Status status = Status.fromJson(json);
        assertEquals("global.svc", status.root().children().get(0).path());
        assertFalse(json.contains("hunter2"), "secrets stay redacted");
        Status viaOperation = Status.fromJson((String) server.invoke(registry(), "statusJson", null, null));
        assertTrue(status.sameContentAs(viaOperation), "the attribute and the operation give the same status");
    }

    @Test
    void warningCountsListEveryKindAndCountWhatIsThere() throws Exception {
        ContextTree t = tree(JmxPolicy.defaults().withMode(JmxPolicy.Mode.NONE));
        Map<String, Long> none = proxy().getWarningCounts();
        assertEquals(WarningKind.values().length, none.size(), none.toString());
        assertTrue(none.values().stream().allMatch(v -> v == 0), none.toString());
        assertEquals(0L, none.get("CRITICAL/DEADLOCK"));
        assertEquals(0L, none.get("INFO/IDLE"));

        Context svc = t.root().child("svc").open();
        NamedLock output = svc.mutex("output");
        NamedLock input = svc.mutex("input");
        try (Scope s = svc.makeCurrent()) {
            output.lock();
            input.lock();
        }
        clock.advance(Duration.ofSeconds(11));
        Map<String, Long> counts = proxy().getWarningCounts();
        assertEquals(2L, counts.get("WARNING/LONG_HELD"), counts.toString());
        assertEquals(t.warnings().size(), counts.values().stream().mapToLong(Long::longValue).sum());
        output.unlock();
        input.unlock();
        assertEquals(0L, proxy().getWarningCounts().get("WARNING/LONG_HELD"), "a warning that clears drops to 0");
    }

    @Test
    void lockStatisticsAddUpLocksByPathAndNameAndNeverGoBack() throws Exception {
        ContextTree t = tree(JmxPolicy.defaults());
        Context proxy = t.root().child("proxy").open();
        NamedLock[] routes = {proxy.mutex("route-table"), proxy.mutex("route-table")};
        try (Scope s = proxy.makeCurrent()) {
            for (NamedLock route : routes) {
                route.lock();
                clock.advance(Duration.ofMillis(30));
                route.unlock();
            }
            routes[1].lock();
        }
        clock.advance(Duration.ofMillis(70));
        LockRow row = proxy().getLockStatistics().get("global.proxy").get("route-table");
        assertEquals(2, row.getInstances(), "two locks, one name, one path: one row");
        assertEquals(3, row.getAcquisitions());
        assertEquals(60, row.getTotalHoldMillis());
        assertEquals(30, row.getMaxHoldMillis());
        assertEquals(1, row.getHolders());
        assertEquals(70, row.getLongestHeldMillis());
        routes[1].unlock();

        // a lock per request: each leaves the registry once its request has ended and it is idle
        NamedLock last = null;
        for (int i = 0; i < 4; i++) {
            Context request = proxy.child("request").open();
            last = request.mutex("request-state");
            try (Scope s = request.makeCurrent()) {
                last.lock();
                clock.advance(Duration.ofMillis(5));
                last.unlock();
            }
            jmx.refresh(); // the background scan's look: each request's lock is seen once
            request.close();
        }
        LockRow retired = proxy().getLockStatistics().get("global.proxy.request").get("request-state");
        assertEquals(0, retired.getInstances(), "every request lock has left the tree");
        assertEquals(4, retired.getAcquisitions(), "what departed locks counted stays counted");
        assertEquals(20, retired.getTotalHoldMillis());
        assertEquals(4, proxy().getLockStatistics().get("global.proxy.request").get("request-state").getAcquisitions(),
                "and is not counted twice by a second read");

        // a departed lock used again comes back: counted once, with everything it has seen
        try (Scope s = proxy.makeCurrent()) {
            last.lock();
        }
        LockRow back = proxy().getLockStatistics().get("global.proxy.request").get("request-state");
        assertEquals(1, back.getInstances());
        assertEquals(5, back.getAcquisitions());
        assertEquals(1, back.getHolders());
        last.unlock();
        LockRow leftAgain = proxy().getLockStatistics().get("global.proxy.request").get("request-state");
        assertEquals(0, leftAgain.getInstances());
        assertEquals(5, leftAgain.getAcquisitions());
    }

    @Test
    void aPerRequestLockIsCountedEvenWhenNoScanSawIt() throws Exception {
        ContextTree t = tree(JmxPolicy.defaults());
        Context proxy = t.root().child("proxy").open();
        for (int i = 0; i < 10; i++) {
            Context request = proxy.child("request").open();
            NamedLock state = request.mutex("request-state");
            try (Scope s = request.makeCurrent()) {
                state.lock();
                clock.advance(Duration.ofMillis(2));
                state.unlock();
            }
            request.close();
            if (i % 2 == 0) {
                t.status(); // another look at the registry drops the idle lock before any JMX scan or read sees it
            }
        }
        LockRow row = proxy().getLockStatistics().get("global.proxy.request").get("request-state");
        assertEquals(0, row.getInstances());
        assertEquals(10, row.getAcquisitions(), "every request's lock, dropped by whichever look came first");
        assertEquals(20, row.getTotalHoldMillis());
    }

    @Test
    void lockStatisticsHaveTheShapeThePrometheusRulesRead() throws Exception {
        ContextTree t = tree(JmxPolicy.defaults().withMode(JmxPolicy.Mode.NONE));
        NamedLock lock = t.root().child("svc").open().mutex("output");
        lock.lock();
        lock.unlock();
        // jmx_exporter turns the outer map's key into key=..., the inner one's into key_=..., the row's items into
        // attribute names: dev.canopy<type=Registry, key=global.svc, key_=output><LockStatistics>acquisitions
        TabularData byPath = (TabularData) server.getAttribute(registry(), "LockStatistics");
        assertEquals(List.of("key"), byPath.getTabularType().getIndexNames());
        TabularData byName = (TabularData) byPath.get(new Object[]{"global.svc"}).get("value");
        assertEquals(List.of("key"), byName.getTabularType().getIndexNames());
        CompositeData row = (CompositeData) byName.get(new Object[]{"output"}).get("value");
        assertEquals(1L, row.get("acquisitions"));
        TabularData warnings = (TabularData) server.getAttribute(registry(), "WarningCounts");
        assertEquals(0L, warnings.get(new Object[]{"WARNING/STUCK_WAITER"}).get("value"));
    }

    @Test
    void aCounterGivesOnlyTheSeriesItUses() throws Exception {
        ContextTree t = tree(JmxPolicy.defaults());
        Context svc = t.root().child("svc").open();
        svc.incrementTotal("requests");
        svc.incrementLive("connections");
        svc.decrementLive("connections");
        svc.child("request").persist().open().close();
        assertEquals(Map.of("global.svc.requests", 1L, "global.svc.request.completed", 1L),
                proxy().getCounterTotals(), "a live-only counter has no total series of zeros");
        assertEquals(Map.of("global.svc.live_connections", 0L), proxy().getCounterLive(),
                "a live counter stays listed at 0 once nothing holds it; total-only counters are not listed");

        svc.incrementTotal("connections", 3);
        assertEquals(3L, proxy().getCounterTotals().get("global.svc.connections"),
                "once it counts a total too, it has both");
        assertEquals(0L, proxy().getCounterLive().get("global.svc.live_connections"));
    }

    @Test
    void counterKeysRefusedByTheCapAreCountedForMonitoring() throws Exception {
        jmx = JmxExporter.create(JmxPolicy.defaults().withDomain(domain));
        tree = ContextTree.builder().clock(clock).listener(jmx).maxCounterKeys(2).build();
        Context svc = tree.root().child("svc").open();
        svc.incrementTotal("a");
        svc.incrementTotal("b", 5);
        assertEquals(0L, proxy().getCounterKeysRefused(), "within the cap nothing is refused");
        svc.incrementTotal("c", 7);
        svc.incrementLive("d");
        RegistryViewMXBean r = proxy();
        assertEquals(2, r.getCounterKeys());
        assertEquals(2, r.getCounterKeyCap());
        assertEquals(2L, r.getCounterKeysRefused());
        assertEquals(8L, r.getCounterIncrementsLost(), "7 to c and 1 to d");
        assertEquals(Set.of("global.svc.a", "global.svc.b"), r.getCounterTotals().keySet());
    }

    @Test
    void semaphorePermitsCountPermitsWhereLockStatisticsCountHolders() throws Exception {
        ContextTree t = tree(JmxPolicy.defaults());
        Context svc = t.root().child("svc").open();
        NamedSemaphore pool = svc.semaphore("pool", 5);
        svc.mutex("pool-index").lock();
        Context a = svc.child("a").open();
        Context b = svc.child("b").open();
        try (Scope s = a.makeCurrent()) {
            pool.acquire(2);
        }
        try (Scope s = b.makeCurrent()) {
            pool.acquire(1);
        }
        Task<Void> waiter = svc.spawnChild("waiter", ctx -> {
            pool.acquire(3);
            pool.release(3);
            return null;
        });
        awaitTrue("the waiter queues", () -> pool.snapshot().waiters().size() == 1);

        Map<String, Map<String, PermitRow>> rows = proxy().getSemaphorePermits();
        assertEquals(Set.of("pool"), rows.get("global.svc").keySet(), "a mutex has no permit row");
        PermitRow row = rows.get("global.svc").get("pool");
        assertEquals(2, row.getAvailable());
        assertEquals(3, row.getHeld(), "permits, where LockStatistics counts 2 holding contexts");
        assertEquals(3, row.getRequested());
        assertEquals(2, proxy().getLockStatistics().get("global.svc").get("pool").getHolders());

        try (Scope s = a.makeCurrent()) {
            pool.release(2);
        }
        waiter.get(30, java.util.concurrent.TimeUnit.SECONDS);
        row = proxy().getSemaphorePermits().get("global.svc").get("pool");
        assertEquals(List.of(4, 1, 0), List.of(row.getAvailable(), row.getHeld(), row.getRequested()));
    }

    @Test
    void lockBeansHaveACapOfTheirOwn() throws Exception {
        ContextTree t = tree(JmxPolicy.defaults().withMode(JmxPolicy.Mode.ALL).withMaxLockBeans(3));
        Context svc = TestTrees.keep(t.root().child("svc").open());
        for (int i = 0; i < 5; i++) {
            svc.mutex("lock-" + i); // kept by the tree while svc lives
        }
        jmx.refresh();
        assertEquals(5, t.namedLocks().size());
        assertEquals(3, server.queryNames(new ObjectName(domain + ":type=Lock,*"), null).size());
        assertEquals(3, proxy().getRegisteredLockBeans());
        assertEquals(2L, proxy().getLockBeansSkippedByCap());
        assertEquals(2, proxy().getRegisteredContextBeans(), "context beans keep their own cap");
    }

    @Test
    void operationsShowTheirParameterNames() throws Exception {
        ContextTree t = tree(JmxPolicy.defaults().withMode(JmxPolicy.Mode.ALL));
        Context svc = t.root().child("svc").open();
        jmx.refresh();
        assertEquals(List.of("path", "reason"), parameterNames(server.getMBeanInfo(registry()), "cancel"));
        assertEquals(List.of("reason"), parameterNames(server.getMBeanInfo(jmx.contextBeanName(svc)), "cancel"));
        String result = (String) server.invoke(registry(), "cancel", new Object[]{"global.svc", "maintenance"},
                new String[]{String.class.getName(), String.class.getName()});
        assertEquals("cancelled 1 context(s) at global.svc, and everything under them", result,
                "operations work as before");
    }

    private static List<String> parameterNames(MBeanInfo info, String operation) {
        MBeanOperationInfo op = Arrays.stream(info.getOperations()).filter(o -> o.getName().equals(operation))
                .findFirst().orElseThrow();
        return Arrays.stream(op.getSignature()).map(MBeanParameterInfo::getName).toList();
    }

    @Test
    void theLockBeanCapComesFromASystemPropertyAndBadValuesAreNamed() {
        assertEquals(1_000, JmxPolicy.defaults().maxLockBeans());
        assertEquals(1_000, new JmxPolicy(JmxPolicy.Mode.ALL, Duration.ZERO, 5, false, "d").maxLockBeans(),
                "the earlier constructor keeps the default lock cap");
        assertEquals("maxLockBeans must not be negative: -1",
                assertThrows(IllegalArgumentException.class, () -> JmxPolicy.defaults().withMaxLockBeans(-1))
                        .getMessage());
        String before = System.getProperty("canopy.jmx.maxLockBeans");
        try {
            System.setProperty("canopy.jmx.maxLockBeans", "250");
            assertEquals(250, JmxPolicy.fromSystemProperties().maxLockBeans());
            System.setProperty("canopy.jmx.maxLockBeans", "lots");
            assertEquals("canopy.jmx.maxLockBeans must be a whole number, not \"lots\"",
                    assertThrows(IllegalArgumentException.class, JmxPolicy::fromSystemProperties).getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("canopy.jmx.maxLockBeans");
            } else {
                System.setProperty("canopy.jmx.maxLockBeans", before);
            }
        }
    }
}
