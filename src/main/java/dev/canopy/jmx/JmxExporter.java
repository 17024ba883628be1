package dev.canopy.jmx;

import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.spi.LockView;
import dev.canopy.spi.TreeListener;
import dev.canopy.status.Deadlock;

import javax.management.JMException;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Shows one tree over JMX: the registry MBean, and context and lock MBeans per the {@link JmxPolicy}. It is a
 * {@link TreeListener}: add it to a tree and it registers the registry when it joins, sends a notification for each
 * deadlock, and unregisters everything when it leaves or the tree closes.
 * <pre>{@code
 * ContextTree tree = ContextTree.builder().listener(JmxExporter.create(JmxPolicy.defaults())).build();
 * }</pre>
 * Canopy's default tree gets one by itself, configured by {@code -Dcanopy.jmx.*} system properties (see
 * {@link JmxPolicy#fromSystemProperties()}).
 *
 * <p>Context and lock beans are registered and unregistered by a background scan on the {@code canopy-jmx} thread,
 * never on a thread that spawns, closes or locks: registration takes the MBean server's lock.
 */
public final class JmxExporter implements TreeListener {
    public static final String DEADLOCK_NOTIFICATION = "dev.canopy.deadlock";
    public static final String CRITICAL_NOTIFICATION = "dev.canopy.warning.critical";
    private static final System.Logger LOG = System.getLogger(JmxExporter.class.getName());

    private static final class Thread1 {
        static final ScheduledExecutorService JMX = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "canopy-jmx");
            t.setDaemon(true);
            return t;
        });
    }

    private final JmxPolicy policy;
    private final MBeanServer server;
    private final ObjectName registryName;
    private final NotificationBroadcasterSupport broadcaster;
    /** By context id; weak, so a registered context its owner dropped can still be collected and reported. */
    private final ConcurrentHashMap<Long, Registered> contextBeans = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<LockView, ObjectName> lockBeans = new ConcurrentHashMap<>();
    private final LockStatistics lockStatistics = new LockStatistics();
    private final LongAdder failures = new LongAdder();
    private final AtomicLong skippedByCap = new AtomicLong();
    private final AtomicLong locksSkippedByCap = new AtomicLong();
    private final AtomicLong notificationSequence = new AtomicLong();
    private volatile ContextTree tree;
    private volatile ScheduledFuture<?> scan;
    private volatile boolean failureLogged;

    private record Registered(WeakReference<Context> context, ObjectName name) {
    }

    private JmxExporter(JmxPolicy policy, MBeanServer server) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.server = Objects.requireNonNull(server, "server");
        this.registryName = BeanNames.registry(policy.domain());
        this.broadcaster = new NotificationBroadcasterSupport(Thread1.JMX,
                new MBeanNotificationInfo(new String[]{DEADLOCK_NOTIFICATION, CRITICAL_NOTIFICATION},
                        Notification.class.getName(), "A deadlock was found; a critical warning appeared"));
    }

    /** An exporter to the platform MBean server. */
    public static JmxExporter create(JmxPolicy policy) {
        return new JmxExporter(policy, ManagementFactory.getPlatformMBeanServer());
    }

    /** An exporter to {@code server}. */
    public static JmxExporter create(JmxPolicy policy, MBeanServer server) {
        return new JmxExporter(policy, server);
    }

    public JmxPolicy policy() {
        return policy;
    }

    /** The registry MBean's name: {@code <domain>:type=Registry}. */
    public ObjectName registryName() {
        return registryName;
    }

    /** The name of {@code context}'s MBean, or null while it has none. */
    public ObjectName contextBeanName(Context context) {
        Registered r = contextBeans.get(context.id());
        return r == null ? null : r.name();
    }

    /**
     * Applies the registration policy now, instead of at the background scan's next round: registers what qualifies
     * and unregisters what ended. For tests and tools that want the beans to be there before they look.
     */
    public void refresh() {
        scan();
    }

    // ------------------------------------------------------------------ joining and leaving the tree

    /** Registers the registry now (a one-off when the tree is created) and starts the background scan. */
    @Override
    public synchronized void attached(ContextTree joined) {
        if (tree != null) {
            throw new IllegalStateException("this JmxExporter already shows tree " + tree.root().name()
                    + "; create one exporter per tree");
        }
        tree = joined;
        try {
            RegistryBean registry = new RegistryBean(this, joined, policy);
            Object bean = policy.readOnly()
                    ? Beans.emitterMxBean(registry, RegistryViewMXBean.class, broadcaster)
                    : Beans.emitterMxBean(registry, RegistryMXBean.class, broadcaster);
            server.registerMBean(bean, registryName);
        } catch (JMException | RuntimeException e) {
            failed("the registry " + registryName, e);
        }
        if (policy.mode() != JmxPolicy.Mode.NONE) {
            long period = policy.mode() == JmxPolicy.Mode.ALL ? 100
                    : Math.max(50, Math.min(500, policy.threshold().toMillis() / 2));
            scan = Thread1.JMX.scheduleWithFixedDelay(this::scanSafely, 0, period, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void detached(ContextTree left) {
        ScheduledFuture<?> s = scan;
        if (s != null) {
            s.cancel(false);
        }
        try {
            Thread1.JMX.submit(this::unregisterAll).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            unregisterAll();
        }
    }

    private synchronized void unregisterAll() {
        contextBeans.forEach((id, r) -> unregister(r.name()));
        contextBeans.clear();
        lockBeans.forEach((l, n) -> unregister(n));
        lockBeans.clear();
        unregister(registryName);
        tree = null;
    }

    @Override
    public void lockRetired(LockView lock) {
        lockStatistics.retire(lock); // a per-request lock may come and go between two scans: count it anyway
    }

    @Override
    public void deadlockFound(Deadlock d) {
        Notification n = new Notification(DEADLOCK_NOTIFICATION, registryName, notificationSequence.incrementAndGet(),
                d.headline() + ": " + d.describe());
        n.setUserData(d.describe());
        broadcaster.sendNotification(n);
        Notification w = new Notification(CRITICAL_NOTIFICATION, registryName, notificationSequence.incrementAndGet(),
                "critical: deadlock: " + d.describe());
        broadcaster.sendNotification(w);
    }

    // ------------------------------------------------------------------ the scan

    private void scanSafely() {
        try {
            scan();
        } catch (RuntimeException | Error e) {
            failed("the scan", e);
        }
    }

    /** One round: unregister what ended, register what qualifies (within the cap). */
    private synchronized void scan() {
        ContextTree t = tree;
        if (t == null || policy.mode() == JmxPolicy.Mode.NONE) {
            return;
        }
        contextBeans.forEach((id, r) -> {
            Context c = r.context().get();
            if (c == null || c.isEnded()) {
                unregister(r.name());
                contextBeans.remove(id);
            }
        });
        List<LockView> liveLocks = t.namedLocks();
        lockStatistics.observe(liveLocks); // so a lock that leaves between two registry reads is still counted
        Set<LockView> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(liveLocks);
        lockBeans.forEach((l, n) -> {
            if (!live.contains(l)) {
                unregister(n);
                lockBeans.remove(l);
            }
        });
        long locksSkipped = 0;
        for (LockView l : liveLocks) {
            if (!lockBeans.containsKey(l)) {
                if (lockBeans.size() >= policy.maxLockBeans()) {
                    locksSkipped++;
                    continue;
                }
                ObjectName n = BeanNames.lock(policy.domain(), l);
                if (n != null && register(Beans.mxBean(new LockBean(l), LockMXBean.class), n)) {
                    lockBeans.put(l, n);
                }
            }
        }
        locksSkippedByCap.set(locksSkipped);
        long threshold = policy.mode() == JmxPolicy.Mode.ALL ? 0 : policy.threshold().toNanos();
        long skipped = 0;
        ArrayDeque<Context> pending = new ArrayDeque<>();
        pending.push(t.root());
        while (!pending.isEmpty()) {
            Context c = pending.pop();
            c.children().forEach(pending::push);
            if (contextBeans.containsKey(c.id()) || c.isEnded() || c.duration().toNanos() < threshold) {
                continue;
            }
            if (contextBeans.size() >= policy.maxContextBeans()) {
                skipped++;
                continue;
            }
            ObjectName n = BeanNames.context(policy.domain(), c);
            if (n == null) {
                continue;
            }
            ContextBean impl = new ContextBean(c, t, policy);
            Object bean = policy.readOnly()
                    ? Beans.mxBean(impl, ContextViewMXBean.class)
                    : Beans.mxBean(impl, ContextMXBean.class);
            if (register(bean, n)) {
                contextBeans.put(c.id(), new Registered(new WeakReference<>(c), n));
                if (c.isEnded()) { // ended while we registered it
                    unregister(n);
                    contextBeans.remove(c.id());
                }
            }
        }
        skippedByCap.set(skipped);
    }

    private boolean register(Object bean, ObjectName n) {
        try {
            if (server.isRegistered(n)) {
                return false;
            }
            server.registerMBean(bean, n);
            return true;
        } catch (JMException | RuntimeException e) {
            failed(n.toString(), e);
            return false;
        }
    }

    private void unregister(ObjectName n) {
        try {
            if (server.isRegistered(n)) {
                server.unregisterMBean(n);
            }
        } catch (JMException | RuntimeException e) {
            failed("unregistering " + n, e);
        }
    }

    private void failed(String what, Throwable e) {
        failures.increment();
        if (!failureLogged) {
            failureLogged = true;
            LOG.log(System.Logger.Level.WARNING, "JMX registration failed for " + what
                    + " (further failures are only counted in the registry's RegistrationFailures)", e);
        }
    }

    // ------------------------------------------------------------------ for the registry bean

    int registeredContextBeans() {
        return contextBeans.size();
    }

    long contextBeansSkippedByCap() {
        return skippedByCap.get();
    }

    int registeredLockBeans() {
        return lockBeans.size();
    }

    long lockBeansSkippedByCap() {
        return locksSkippedByCap.get();
    }

    LockStatistics lockStatistics() {
        return lockStatistics;
    }

    long registrationFailures() {
        return failures.sum();
    }
}
