package dev.canopy;

import dev.canopy.internal.Durations;
import dev.canopy.status.CounterSnapshot;
import dev.canopy.status.CounterWindows;
import dev.canopy.status.Deadlock;
import dev.canopy.status.LockSnapshot;
import dev.canopy.status.RenderOptions;
import dev.canopy.status.Severity;

import dev.canopy.jmx.ContextMXBean;
import dev.canopy.jmx.ContextViewMXBean;
import dev.canopy.jmx.LockMXBean;
import dev.canopy.jmx.RegistryMXBean;
import dev.canopy.jmx.RegistryViewMXBean;

import javax.management.JMException;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;
import javax.management.StandardEmitterMBean;
import javax.management.StandardMBean;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Shows one tree over JMX: the registry MBean, and context and lock MBeans per the {@link JmxPolicy}, registered and
 * unregistered by a background scan on the {@code canopy-jmx} thread (never on a thread that spawns, closes or locks).
 */
final class JmxExporter {
    static final String DEADLOCK_NOTIFICATION = "dev.canopy.deadlock";
    static final String CRITICAL_NOTIFICATION = "dev.canopy.warning.critical";
    /** Folder levels in an ObjectName; deeper contexts are only seen through the registry. */
    static final int MAX_LEVELS = 16;
    private static final System.Logger LOG = System.getLogger(JmxExporter.class.getName());

    private static final class Thread1 {
        static final ScheduledExecutorService JMX = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "canopy-jmx");
            t.setDaemon(true);
            return t;
        });
    }

    private final ContextTree tree;
    private final JmxPolicy policy;
    private final MBeanServer server;
    /** By context id; weak, so a registered context its owner dropped can still be collected and reported. */
    private final ConcurrentHashMap<Long, Registered> contextBeans = new ConcurrentHashMap<>();

    private record Registered(java.lang.ref.WeakReference<Context> context, ObjectName name) {
    }
    private final ConcurrentHashMap<LockCore, ObjectName> lockBeans = new ConcurrentHashMap<>();
    private final LongAdder failures = new LongAdder();
    private final AtomicLong skippedByCap = new AtomicLong();
    private final AtomicLong notificationSequence = new AtomicLong();
    private final NotificationBroadcasterSupport broadcaster;
    private final ObjectName registryName;
    private volatile ScheduledFuture<?> scan;
    private volatile boolean failureLogged;

    JmxExporter(ContextTree tree, JmxPolicy policy, MBeanServer server) {
        this.tree = tree;
        this.policy = policy;
        this.server = server;
        this.broadcaster = new NotificationBroadcasterSupport(Thread1.JMX,
                new MBeanNotificationInfo(new String[]{DEADLOCK_NOTIFICATION, CRITICAL_NOTIFICATION},
                        Notification.class.getName(), "A deadlock was found; a critical warning appeared"));
        this.registryName = name(policy.domain() + ":type=Registry");
    }

    private static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (JMException e) {
            throw new IllegalArgumentException("invalid ObjectName " + text, e);
        }
    }

    /** Registers the registry now (a one-off at tree creation) and starts the background scan. */
    void start() {
        Registry registry = new Registry();
        try {
            @SuppressWarnings({"unchecked", "rawtypes"})
            StandardEmitterMBean bean = new StandardEmitterMBean(registry,
                    (Class) (policy.readOnly() ? RegistryViewMXBean.class : RegistryMXBean.class), true, broadcaster);
            server.registerMBean(bean, registryName);
        } catch (JMException | RuntimeException e) {
            failed("the registry " + registryName, e);
        }
        tree.onDeadlock(this::deadlockFound);
        if (policy.mode() != JmxPolicy.Mode.NONE) {
            long period = policy.mode() == JmxPolicy.Mode.ALL ? 100
                    : Math.max(50, Math.min(500, policy.threshold().toMillis() / 2));
            scan = Thread1.JMX.scheduleWithFixedDelay(this::scanSafely, 0, period, TimeUnit.MILLISECONDS);
        }
    }

    void close() {
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

    private void unregisterAll() {
        contextBeans.forEach((id, r) -> unregister(r.name()));
        contextBeans.clear();
        lockBeans.forEach((l, n) -> unregister(n));
        lockBeans.clear();
        unregister(registryName);
    }

    // ------------------------------------------------------------------ the scan

    private void scanSafely() {
        try {
            scan();
        } catch (RuntimeException | Error e) {
            failed("the scan", e);
        }
    }

    /** One round: unregister what ended, register what qualifies (within the cap). Package-private for tests. */
    synchronized void scan() {
        if (policy.mode() == JmxPolicy.Mode.NONE) {
            return;
        }
        contextBeans.forEach((id, r) -> {
            Context c = r.context().get();
            if (c == null || c.isEnded()) {
                unregister(r.name());
                contextBeans.remove(id);
            }
        });
        List<LockCore> liveLocks = tree.lockRegistry().locks();
        java.util.Set<LockCore> live = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        live.addAll(liveLocks);
        lockBeans.forEach((l, n) -> {
            if (!live.contains(l)) {
                unregister(n);
                lockBeans.remove(l);
            }
        });
        for (LockCore l : liveLocks) {
            if (!lockBeans.containsKey(l)) {
                ObjectName n = lockName(l);
                if (n != null && register(new StandardMBean(new LockBean(l), LockMXBean.class, true), n)) {
                    lockBeans.put(l, n);
                }
            }
        }
        long threshold = policy.mode() == JmxPolicy.Mode.ALL ? 0 : policy.threshold().toNanos();
        long skipped = 0;
        ArrayDeque<Context> pending = new ArrayDeque<>();
        pending.push(tree.root());
        while (!pending.isEmpty()) {
            Context c = pending.pop();
            c.forEachChild(pending::push);
            if (contextBeans.containsKey(c.id()) || c.isEnded() || c.duration().toNanos() < threshold) {
                continue;
            }
            if (contextBeans.size() >= policy.maxContextBeans()) {
                skipped++;
                continue;
            }
            ObjectName n = contextName(c);
            if (n == null) {
                continue;
            }
            Object bean = policy.readOnly()
                    ? new StandardMBean(new ContextBean(c), ContextViewMXBean.class, true)
                    : new StandardMBean(new ContextBean(c), ContextMXBean.class, true);
            if (register(bean, n)) {
                contextBeans.put(c.id(), new Registered(new java.lang.ref.WeakReference<>(c), n));
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

    int registeredContextBeans() {
        return contextBeans.size();
    }

    ObjectName registryName() {
        return registryName;
    }

    ObjectName contextBeanName(Context c) {
        Registered r = contextBeans.get(c.id());
        return r == null ? null : r.name();
    }

    // ------------------------------------------------------------------ names

    /** An ObjectName value as-is, with the characters ObjectName reserves replaced: never quoted. */
    static String sanitize(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 120));
        for (int i = 0; i < s.length() && i < 120; i++) {
            char c = s.charAt(i);
            b.append(",=:*?\"\\\n".indexOf(c) >= 0 || Character.isISOControl(c) ? '_' : c);
        }
        return b.length() == 0 ? "_" : b.toString();
    }

    /** Fixed key order: type first, then one folder key per level, then the unique leaf. */
    private ObjectName levels(String type, Context c, String leaf) {
        List<String> chain = new ArrayList<>();
        for (Context x = c; x != null; x = x.parent().orElse(null)) {
            chain.add(0, x.name());
        }
        if (chain.size() > MAX_LEVELS) {
            return null;
        }
        StringBuilder b = new StringBuilder(policy.domain()).append(":type=").append(type);
        for (int i = 0; i < chain.size(); i++) {
            b.append(",l").append(i).append('=').append(sanitize(chain.get(i)));
        }
        b.append(",name=").append(leaf);
        return name(b.toString());
    }

    ObjectName contextName(Context c) {
        return levels("Context", c, sanitize(c.name()) + "#" + c.id());
    }

    ObjectName lockName(LockCore l) {
        String[] chain = l.ownerPath.split("\\.");
        if (chain.length > MAX_LEVELS) {
            return null;
        }
        StringBuilder b = new StringBuilder(policy.domain()).append(":type=Lock");
        for (int i = 0; i < chain.length; i++) {
            b.append(",l").append(i).append('=').append(sanitize(chain[i]));
        }
        return name(b.append(",name=").append(sanitize(l.name)).append('#').append(l.id).toString());
    }

    // ------------------------------------------------------------------ notifications

    private void deadlockFound(Deadlock d) {
        Notification n = new Notification(DEADLOCK_NOTIFICATION, registryName, notificationSequence.incrementAndGet(),
                "deadlock among " + d.size() + " contexts: " + d.describe());
        n.setUserData(d.describe());
        broadcaster.sendNotification(n);
        Notification w = new Notification(CRITICAL_NOTIFICATION, registryName, notificationSequence.incrementAndGet(),
                "critical: deadlock: " + d.describe());
        broadcaster.sendNotification(w);
    }

    // ------------------------------------------------------------------ the beans

    private final class Registry implements RegistryMXBean {
        @Override
        public String getRootName() {
            return tree.root().name();
        }

        @Override
        public long getLiveContexts() {
            return tree.statistics().live();
        }

        @Override
        public long getCreatedContexts() {
            return tree.statistics().created();
        }

        @Override
        public long getCompletedContexts() {
            return tree.statistics().completed();
        }

        @Override
        public long getFailedContexts() {
            return tree.statistics().failed();
        }

        @Override
        public long getCancelledContexts() {
            return tree.statistics().cancelled();
        }

        @Override
        public long getLeakedContexts() {
            return tree.statistics().leaked();
        }

        @Override
        public int getNamedLocks() {
            return tree.lockRegistry().lockCount();
        }

        @Override
        public int getLockWaiters() {
            return tree.lockRegistry().waiterCount();
        }

        @Override
        public int getDeadlockCount() {
            return tree.deadlocks().size();
        }

        @Override
        public int getWarningCount() {
            return tree.warnings().size();
        }

        @Override
        public int getCriticalWarningCount() {
            return (int) tree.warnings().stream().filter(w -> w.severity() == Severity.CRITICAL).count();
        }

        @Override
        public Map<String, Long> getCounterTotals() {
            Map<String, Long> out = new LinkedHashMap<>();
            tree.counters().snapshot().forEach(c -> out.put(c.key(), c.total()));
            return out;
        }

        @Override
        public Map<String, Long> getCounterLive() {
            Map<String, Long> out = new LinkedHashMap<>();
            tree.counters().snapshot().forEach(c -> out.put(c.liveKey(), c.live()));
            return out;
        }

        @Override
        public List<dev.canopy.jmx.CounterRow> getCounters() {
            List<dev.canopy.jmx.CounterRow> rows = new ArrayList<>();
            for (CounterSnapshot c : tree.counters().snapshot()) {
                CounterWindows w = c.windows();
                rows.add(new dev.canopy.jmx.CounterRow(c.key(), c.total(), c.live(), w.lastSecond(), w.lastMinute(),
                        w.lastHour(), w.lastDay(), w.ratePerSecond()));
            }
            return rows;
        }

        @Override
        public String getRegistrationPolicy() {
            return policy.mode().name();
        }

        @Override
        public int getRegisteredContextBeans() {
            return contextBeans.size();
        }

        @Override
        public long getContextBeansSkippedByCap() {
            return skippedByCap.get();
        }

        @Override
        public long getRegistrationFailures() {
            return failures.sum();
        }

        @Override
        public boolean isReadOnly() {
            return policy.readOnly();
        }

        @Override
        public String statusText() {
            return tree.status().render(RenderOptions.plain());
        }

        @Override
        public String statusJson() {
            return tree.statusJson();
        }

        @Override
        public String[] deadlocks() {
            return tree.deadlocks().stream().map(Deadlock::describe).toArray(String[]::new);
        }

        @Override
        public String[] warnings() {
            return tree.warnings().stream().map(w -> w.severity() + " " + w.message()).toArray(String[]::new);
        }

        @Override
        public String cancel(String path, String reason) {
            if (policy.readOnly()) {
                throw new UnsupportedOperationException("this tree's JMX is read-only");
            }
            List<Context> found = tree.findByPath(path);
            String why = reason == null || reason.isBlank() ? "cancelled over JMX" : reason;
            found.forEach(c -> c.cancel(why));
            return "cancelled " + found.size() + " context(s) at " + path;
        }
    }

    private final class ContextBean implements ContextMXBean {
        private final java.lang.ref.WeakReference<Context> ref;

        ContextBean(Context c) {
            this.ref = new java.lang.ref.WeakReference<>(c);
        }

        /** The context, or an error JMX clients show if it was collected before the scan removed this bean. */
        private Context c() {
            Context c = ref.get();
            if (c == null) {
                throw new IllegalStateException("this context has been garbage-collected; its bean goes at the next scan");
            }
            return c;
        }

        @Override
        public String getName() {
            return c().name();
        }

        @Override
        public String getPath() {
            return c().path();
        }

        @Override
        public long getId() {
            return c().id();
        }

        @Override
        public String getState() {
            return c().state().name();
        }

        @Override
        public long getDurationMillis() {
            return c().duration().toMillis();
        }

        @Override
        public long getIdleMillis() {
            return c().idleDuration().toMillis();
        }

        @Override
        public String getDeadline() {
            return c().deadline().map(Object::toString).orElse("");
        }

        @Override
        public long getTimeLeftMillis() {
            return c().timeLeft().map(Duration::toMillis).orElse(-1L);
        }

        @Override
        public String getCancelReason() {
            return c().cancellation().map(Cancellation::reason).orElse("");
        }

        @Override
        public String getCurrentOperation() {
            return c().currentOperation().map(o -> o.name() + " (" + Durations.human(o.duration()) + ")").orElse("");
        }

        @Override
        public String getData() {
            try {
                return Json.MAPPER.writeValueAsString(c().data());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return "{}";
            }
        }

        @Override
        public Map<String, String> getMetrics() {
            Map<String, String> out = new LinkedHashMap<>();
            c().metrics().forEach((k, v) -> out.put(k, v.display()));
            return out;
        }

        @Override
        public Map<String, Long> getCounterTotals() {
            Map<String, Long> out = new LinkedHashMap<>();
            tree.counters().snapshot(c().path()).stream().filter(s -> s.path().equals(c().path()))
                    .forEach(s -> out.put(s.counter(), s.total()));
            return out;
        }

        @Override
        public Map<String, Long> getCounterLive() {
            Map<String, Long> out = new LinkedHashMap<>();
            tree.counters().snapshot(c().path()).stream().filter(s -> s.path().equals(c().path()))
                    .forEach(s -> out.put(s.counter(), s.live()));
            return out;
        }

        @Override
        public String[] getHeldLocks() {
            return c().heldLocks().stream().map(h -> "\"" + h.lockName() + "\" " + h.mode() + " held "
                    + Durations.human(h.held())).toArray(String[]::new);
        }

        @Override
        public String[] getAwaitedLocks() {
            return c().awaitedLocks().stream().map(w -> "\"" + w.lockName() + "\" " + w.mode() + " waiting "
                    + Durations.human(w.waiting())).toArray(String[]::new);
        }

        @Override
        public int getChildCount() {
            return c().children().size();
        }

        @Override
        public String status() {
            return tree.status().render(RenderOptions.plain().withPathPrefix(c().path()));
        }

        @Override
        public void cancel(String reason) {
            if (policy.readOnly()) {
                throw new UnsupportedOperationException("this tree's JMX is read-only");
            }
            c().cancel(reason == null || reason.isBlank() ? "cancelled over JMX" : reason);
        }
    }

    private static final class LockBean implements LockMXBean {
        private final LockCore l;

        LockBean(LockCore l) {
            this.l = l;
        }

        private LockSnapshot s() {
            return l.snapshot();
        }

        @Override
        public String getName() {
            return l.name;
        }

        @Override
        public String getKind() {
            return l.kind.name();
        }

        @Override
        public String getOwnerPath() {
            return l.ownerPath;
        }

        @Override
        public boolean isFair() {
            return l.fair;
        }

        @Override
        public int getAvailablePermits() {
            return l.availablePermitsForSnapshot();
        }

        @Override
        public int getHolderCount() {
            return s().holders().size();
        }

        @Override
        public int getWaiterCount() {
            return s().waiters().size();
        }

        @Override
        public String[] getHolders() {
            return s().holders().stream().map(h -> h.contextPath() + " [" + h.thread() + "] " + h.mode()
                    + (h.count() > 1 ? " ×" + h.count() : "") + " held " + Durations.human(h.held()))
                    .toArray(String[]::new);
        }

        @Override
        public String[] getWaiters() {
            return s().waiters().stream().map(w -> w.contextPath() + " [" + w.thread() + "] " + w.mode()
                    + " waiting " + Durations.human(w.waiting())).toArray(String[]::new);
        }

        @Override
        public long getLongestHoldMillis() {
            return s().holders().stream().mapToLong(h -> h.held().toMillis()).max().orElse(0);
        }

        @Override
        public long getLongestWaitMillis() {
            return s().waiters().stream().mapToLong(w -> w.waiting().toMillis()).max().orElse(0);
        }

        @Override
        public long getAcquisitions() {
            return s().acquisitions();
        }

        @Override
        public long getContendedAcquisitions() {
            return s().contendedAcquisitions();
        }

        @Override
        public long getTotalWaitMillis() {
            return s().totalWait().toMillis();
        }

        @Override
        public long getMaxWaitMillis() {
            return s().maxWait().toMillis();
        }

        @Override
        public long getTotalHoldMillis() {
            return s().totalHold().toMillis();
        }

        @Override
        public long getMaxHoldMillis() {
            return s().maxHold().toMillis();
        }
    }
}
