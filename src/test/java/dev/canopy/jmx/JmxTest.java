package dev.canopy.jmx;

import dev.canopy.Held;
import dev.canopy.MetricValue;
import dev.canopy.NamedLock;
import dev.canopy.Scope;
import dev.canopy.Task;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.FakeClock;
import dev.canopy.TestTrees;

import dev.canopy.status.ContextStatus;
import dev.canopy.status.Status;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.management.Attribute;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.canopy.TestTrees.WAIT;
import static dev.canopy.TestTrees.awaitTrue;
import static org.junit.jupiter.api.Assertions.*;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

class JmxTest {
    private static final AtomicInteger DOMAINS = new AtomicInteger();
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final FakeClock clock = new FakeClock();
    private final String domain = "dev.canopy.test" + DOMAINS.incrementAndGet();
    private ContextTree tree;
    private JmxExporter jmx;

    private ContextTree tree(JmxPolicy policy) {
        jmx = JmxExporter.create(policy.withDomain(domain));
        tree = ContextTree.builder().clock(clock).listener(jmx).build();
        return tree;
    }

    @AfterEach
    void closeTree() throws Exception {
        if (tree != null) {
            tree.close();
            assertEquals(Set.of(), server.queryNames(new ObjectName(domain + ":*"), null), "closing leaves no MBean");
        }
    }

    private Set<ObjectName> beans(String type) throws Exception {
        return server.queryNames(new ObjectName(domain + ":type=" + type + ",*"), null);
    }

    @Test
    void longLivedContextsGetBeansAndLoseThemWhenTheyEnd() throws Exception {
        ContextTree t = tree(JmxPolicy.defaults());
        assertTrue(server.isRegistered(new ObjectName(domain + ":type=Registry")));
        Context svc = t.root().child("remote-access").open();
        Context session = svc.child("alice@bv478gen").open();
        jmx.refresh();
        assertNull(jmx.contextBeanName(session), "younger than the threshold");
        clock.advance(Duration.ofSeconds(2));
        Context young = svc.child("young").open();
        jmx.refresh();
        ObjectName name = jmx.contextBeanName(session);
        assertEquals(domain + ":type=Context,l0=global,l1=remote-access,l2=alice@bv478gen,name=alice@bv478gen#"
                + session.id(), name.toString());
        assertTrue(server.isRegistered(name));
        assertNull(jmx.contextBeanName(young));
        assertEquals(List.of("type", "l0", "l1", "l2", "name"),
                Arrays.stream(name.getKeyPropertyListString().split(",")).map(kv -> kv.split("=")[0]).toList(),
                "keys in a fixed order, so JConsole nests them as folders");

        session.close();
        jmx.refresh();
        assertFalse(server.isRegistered(name));
        assertEquals(2, jmx.registeredContextBeans(), "global and remote-access");
    }

    @Test
    void attributesMatchTheStatusSnapshot() throws Exception {
        ContextTree t = tree(JmxPolicy.defaults().withMode(JmxPolicy.Mode.ALL));
        Context svc = t.root().child("svc").withData("port", 8080).withTimeout(Duration.ofMinutes(5)).open();
        svc.incrementTotal("requests", 7);
        svc.incrementLive("requests");
        svc.addMetric("bytes", MetricValue.bytes(2048));
        NamedLock lock = svc.mutex("output");
        try (Scope s = svc.makeCurrent()) {
            lock.lock();
        }
        clock.advance(Duration.ofMillis(1500));
        jmx.refresh();
        ObjectName n = jmx.contextBeanName(svc);
        ContextStatus status = t.status().root().children().get(0);
        assertEquals(status.path(), server.getAttribute(n, "Path"));
        assertEquals(status.id(), server.getAttribute(n, "Id"));
        assertEquals(status.state().name(), server.getAttribute(n, "State"));
        assertEquals(status.duration().toMillis(), server.getAttribute(n, "DurationMillis"));
        assertEquals(status.timeLeft().toMillis(), server.getAttribute(n, "TimeLeftMillis"));
        assertEquals("{\"port\":8080}", server.getAttribute(n, "Data"));
        assertEquals("2.0KB", ((TabularData) server.getAttribute(n, "Metrics")).get(new Object[]{"bytes"}).get("value"));
        assertEquals(7L, ((TabularData) server.getAttribute(n, "CounterTotals")).get(new Object[]{"requests"}).get("value"));
        assertEquals(1L, ((TabularData) server.getAttribute(n, "CounterLive")).get(new Object[]{"requests"}).get("value"));
        assertArrayEquals(new String[]{"\"output\" EXCLUSIVE held 1.5s"}, (String[]) server.getAttribute(n, "HeldLocks"));

        ObjectName registry = new ObjectName(domain + ":type=Registry");
        assertEquals(t.statistics().live(), server.getAttribute(registry, "LiveContexts"));
        assertEquals(1, server.getAttribute(registry, "NamedLocks"));
        CompositeData[] counters = (CompositeData[]) server.getAttribute(registry, "Counters");
        CompositeData row = Arrays.stream(counters).filter(r -> r.get("key").equals("global.svc.requests"))
                .findFirst().orElseThrow();
        assertEquals(7L, row.get("total"));
        assertEquals(1L, row.get("live"));
        assertTrue(((String) server.invoke(registry, "statusText", null, null)).contains("svc"));
        String json = (String) server.invoke(registry, "statusJson", null, null);
        assertEquals("global.svc", Status.fromJson(json).root().children().get(0).path());

        ObjectName lockBean = beans("Lock").iterator().next();
        assertEquals(domain + ":type=Lock,l0=global,l1=svc,name=output#" + lock.id(), lockBean.toString());
        assertEquals("MUTEX", server.getAttribute(lockBean, "Kind"));
        assertEquals(1, server.getAttribute(lockBean, "HolderCount"));
        assertEquals(1500L, server.getAttribute(lockBean, "LongestHoldMillis"));
        lock.unlock();
        assertEquals(1L, server.getAttribute(lockBean, "Acquisitions"));
    }

    @Test
    void cancelOverJmxCancelsTheSubtree() throws Exception {
        ContextTree t = tree(JmxPolicy.defaults().withMode(JmxPolicy.Mode.ALL));
        Context svc = t.root().child("svc").open();
        Context child = svc.child("child").open();
        Context other = t.root().child("other").open();
        jmx.refresh();
        server.invoke(jmx.contextBeanName(svc), "cancel", new Object[]{"operator said so"},
                new String[]{String.class.getName()});
        assertTrue(child.isCancelled());
        assertEquals("operator said so", child.cancellation().orElseThrow().reason());
        assertFalse(other.isCancelled());
        String result = (String) server.invoke(new ObjectName(domain + ":type=Registry"), "cancel",
                new Object[]{"global.other", "maintenance"}, new String[]{String.class.getName(), String.class.getName()});
        assertEquals("cancelled 1 context(s) at global.other, and everything under them", result);
        assertTrue(other.isCancelled());
        String again = (String) server.invoke(new ObjectName(domain + ":type=Registry"), "cancel",
                new Object[]{"global.other", "again"}, new String[]{String.class.getName(), String.class.getName()});
        assertEquals("nothing to cancel at global.other: it has ended or been cancelled already", again);
        assertEquals("maintenance", other.cancellation().orElseThrow().reason(), "only the first cancel counts");
        String none = (String) server.invoke(new ObjectName(domain + ":type=Registry"), "cancel",
                new Object[]{"global.nothing", "x"}, new String[]{String.class.getName(), String.class.getName()});
        assertEquals("no context at global.nothing", none);
    }

    @Test
    void readOnlyModeHasNoCancel() throws Exception {
        ContextTree t = tree(JmxPolicy.defaults().withMode(JmxPolicy.Mode.ALL).withReadOnly(true));
        Context svc = t.root().child("svc").open();
        jmx.refresh();
        for (ObjectName n : List.of(new ObjectName(domain + ":type=Registry"), jmx.contextBeanName(svc))) {
            assertTrue(Arrays.stream(server.getMBeanInfo(n).getOperations()).map(MBeanOperationInfo::getName)
                    .noneMatch("cancel"::equals), n.toString());
        }
        assertThrows(Exception.class, () -> server.invoke(jmx.contextBeanName(svc), "cancel",
                new Object[]{"x"}, new String[]{String.class.getName()}));
        assertFalse(svc.isCancelled());
        assertEquals(true, server.getAttribute(new ObjectName(domain + ":type=Registry"), "ReadOnly"));
    }

    @Test
    void noneModeKeepsOnlyTheRegistry() throws Exception {
        ContextTree t = tree(JmxPolicy.defaults().withMode(JmxPolicy.Mode.NONE));
        t.root().child("svc").open().mutex("m").lock();
        clock.advance(Duration.ofMinutes(1));
        jmx.refresh();
        assertEquals(Set.of(new ObjectName(domain + ":type=Registry")), server.queryNames(new ObjectName(domain + ":*"), null));
        assertEquals(2L, server.getAttribute(new ObjectName(domain + ":type=Registry"), "LiveContexts"),
                "everything stays visible through the registry");
    }

    @Test
    void theCapLimitsContextBeans() throws Exception {
        ContextTree t = tree(JmxPolicy.defaults().withMode(JmxPolicy.Mode.ALL).withMaxContextBeans(10));
        for (int i = 0; i < 50; i++) {
            TestTrees.keep(t.root().child("c" + i).open());
        }
        jmx.refresh();
        assertEquals(10, beans("Context").size());
        assertEquals(41L, server.getAttribute(new ObjectName(domain + ":type=Registry"), "ContextBeansSkippedByCap"));
    }

    @Test
    void noBeanLeaksAfterAHundredThousandShortContexts() throws Exception {
        ContextTree t = tree(JmxPolicy.defaults().withMode(JmxPolicy.Mode.ALL).withMaxContextBeans(100_000));
        Context load = t.root().child("load").open();
        for (int i = 0; i < 100_000; i++) {
            load.child("request").open().close();
            if (i % 10_000 == 0) {
                jmx.refresh();
            }
        }
        jmx.refresh();
        assertEquals(2, beans("Context").size(), "only global and load remain");
    }

    @Test
    void hostileNamesGiveValidUnquotedObjectNames() throws Exception {
        assertEquals("a_b_c_d___", BeanNames.sanitize("a,b=c:d*\"?"));
        assertEquals("x_y_z", BeanNames.sanitize("x\ny\\z"));
        ContextTree t = tree(JmxPolicy.defaults().withMode(JmxPolicy.Mode.ALL));
        Context hostile = t.root().child("a,b=c:d*\"?").open();
        Context twin = t.root().child("a,b=c:d*\"?").open();
        hostile.mutex("lock,name=x:*").lock();
        jmx.refresh();
        ObjectName n = jmx.contextBeanName(hostile);
        assertEquals(domain + ":type=Context,l0=global,l1=a_b_c_d___,name=a_b_c_d___#" + hostile.id(), n.toString());
        assertFalse(n.toString().contains("\""), "never quoted");
        assertNotEquals(n, jmx.contextBeanName(twin), "same-named siblings stay apart");
        assertEquals("a,b=c:d*\"?", server.getAttribute(n, "Name"));
        assertEquals(1, beans("Lock").size());
    }

    @Test
    void deadlocksAreNotifiedOffTheApplicationThreads() throws Exception {
        tree = ContextTree.builder().deadlockCheckPeriod(Duration.ofMillis(20))
                .listener(JmxExporter.create(JmxPolicy.defaults().withDomain(domain))).build();
        LinkedBlockingQueue<Notification> received = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<String> threads = new LinkedBlockingQueue<>();
        server.addNotificationListener(new ObjectName(domain + ":type=Registry"), (n, hb) -> {
            received.add(n);
            threads.add(Thread.currentThread().getName());
        }, null, null);
        NamedLock a = tree.root().mutex("a");
        NamedLock b = tree.root().mutex("b");
        CyclicBarrier both = new CyclicBarrier(2);
        Task<Void> t1 = tree.root().spawnChild("t1", c -> {
            try (Held x = a.acquire()) {
                both.await();
                try (Held y = b.acquire()) {
                    return null;
                }
            }
        });
        Task<Void> t2 = tree.root().spawnChild("t2", c -> {
            try (Held x = b.acquire()) {
                both.await();
                try (Held y = a.acquire()) {
                    return null;
                }
            }
        });
        Notification first = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(first);
        assertEquals(JmxExporter.DEADLOCK_NOTIFICATION, first.getType());
        assertTrue(first.getMessage().startsWith("deadlock among 2 threads: "), first.getMessage());
        assertTrue(first.getMessage().contains("global.t1"), first.getMessage());
        Notification second = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(JmxExporter.CRITICAL_NOTIFICATION, second.getType());
        assertEquals(List.of("canopy-jmx", "canopy-jmx"), List.of(threads.take(), threads.take()));
        t1.context().cancel();
        t2.context().cancel();
    }

    @Test
    void aFailingMBeanServerLeavesTheTreeWorkingAndTheFailureCounted() throws Exception {
        MBeanServer failing = mock(MBeanServer.class);
        when(failing.registerMBean(any(), any())).thenThrow(new javax.management.MBeanRegistrationException(
                new RuntimeException("server says no")));
        JmxExporter jmx = JmxExporter.create(JmxPolicy.defaults().withMode(JmxPolicy.Mode.ALL).withDomain(domain),
                failing);
        ContextTree t = ContextTree.builder().clock(clock).listener(jmx).build();
        try {
            Context c = t.root().child("still-works").open();
            jmx.refresh();
            assertEquals(0, jmx.registeredContextBeans());
            assertEquals(42, c.spawnChild("task", x -> 42).join());
            c.close();
            assertTrue(t.root().children().isEmpty());
        } finally {
            t.close();
        }
    }
}
