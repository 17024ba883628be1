package dev.canopy.jmx;

import dev.canopy.Context;
import dev.canopy.ContextState;
import dev.canopy.ContextTree;
import dev.canopy.spi.LockView;
import dev.canopy.status.CounterSnapshot;
import dev.canopy.status.CounterWindows;
import dev.canopy.status.Deadlock;
import dev.canopy.status.RenderOptions;
import dev.canopy.status.Severity;
import dev.canopy.status.Warning;
import dev.canopy.status.WarningKind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The one MBean per tree: counts, counters, status and the operations that act on any path. */
final class RegistryBean implements RegistryMXBean {
    private final JmxExporter exporter;
    private final ContextTree tree;
    private final JmxPolicy policy;

    RegistryBean(JmxExporter exporter, ContextTree tree, JmxPolicy policy) {
        this.exporter = exporter;
        this.tree = tree;
        this.policy = policy;
    }

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
        return tree.namedLocks().size();
    }

    @Override
    public int getLockWaiters() {
        return tree.namedLocks().stream().mapToInt(LockView::waiterCount).sum();
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
    public Map<String, Long> getWarningCounts() {
        Map<String, Long> out = new TreeMap<>();
        for (WarningKind kind : WarningKind.values()) {
            out.put(warningKey(usualSeverity(kind), kind), 0L);
        }
        for (Warning w : tree.warnings()) {
            out.merge(warningKey(w.severity(), w.kind()), 1L, Long::sum);
        }
        return out;
    }

    private static String warningKey(Severity severity, WarningKind kind) {
        return severity.name() + "/" + kind.name();
    }

    /**
     * The severity each kind is raised with, to list it at zero before it first appears. A switch without a default,
     * so a new kind does not compile until it is placed here.
     */
    private static Severity usualSeverity(WarningKind kind) {
        return switch (kind) {
            case DEADLOCK -> Severity.CRITICAL;
            case LONG_HELD, STUCK_WAITER, LEAKED, PAST_DEADLINE, CANCELLED_STILL_RUNNING, LONG_OPERATION ->
                    Severity.WARNING;
            case IDLE -> Severity.INFO;
        };
    }

    @Override
    public Map<String, Map<String, LockRow>> getLockStatistics() {
        return exporter.lockStatistics().rows(tree.namedLocks());
    }

    @Override
    public Map<String, Map<String, PermitRow>> getSemaphorePermits() {
        return PermitRow.rows(tree.namedLocks());
    }

    @Override
    public Map<String, Long> getCounterTotals() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (CounterSnapshot c : tree.counters().snapshot()) {
            // a counter only ever counted live has no total to chart; once it also counts a total, it has
            if (!c.countsLive() || c.total() > 0) {
                out.put(c.key(), c.total());
            }
        }
        return out;
    }

    @Override
    public Map<String, Long> getCounterLive() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (CounterSnapshot c : tree.counters().snapshot()) {
            if (c.countsLive()) {
                out.put(c.liveKey(), c.live());
            }
        }
        return out;
    }

    @Override
    public int getCounterKeys() {
        return tree.counters().size();
    }

    @Override
    public int getCounterKeyCap() {
        return tree.counters().overflow().maxKeys();
    }

    @Override
    public long getCounterKeysRefused() {
        return tree.counters().overflow().refusedKeys();
    }

    @Override
    public long getCounterIncrementsLost() {
        return tree.counters().overflow().lostIncrements();
    }

    @Override
    public List<CounterRow> getCounters() {
        List<CounterRow> rows = new ArrayList<>();
        for (CounterSnapshot c : tree.counters().snapshot()) {
            CounterWindows w = c.windows();
            rows.add(new CounterRow(c.key(), c.total(), c.live(), w.lastSecond(), w.lastMinute(),
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
        return exporter.registeredContextBeans();
    }

    @Override
    public long getContextBeansSkippedByCap() {
        return exporter.contextBeansSkippedByCap();
    }

    @Override
    public int getRegisteredLockBeans() {
        return exporter.registeredLockBeans();
    }

    @Override
    public long getLockBeansSkippedByCap() {
        return exporter.lockBeansSkippedByCap();
    }

    @Override
    public long getRegistrationFailures() {
        return exporter.registrationFailures();
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
    public String getStatusJson() {
        return tree.statusJson();
    }

    @Override
    public String statusJson() {
        return tree.statusJson();
    }

    @Override
    public String[] getDeadlocks() {
        return tree.deadlocks().stream().map(Deadlock::describe).toArray(String[]::new);
    }

    @Override
    public String[] deadlocks() {
        return getDeadlocks();
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
        if (found.isEmpty()) {
            return "no context at " + path;
        }
        String why = reason == null || reason.isBlank() ? "cancelled over JMX" : reason;
        // only the first cancel counts: one that ended or was cancelled already keeps its outcome and reason
        List<Context> active = found.stream().filter(c -> c.state() == ContextState.ACTIVE).toList();
        active.forEach(c -> c.cancel(why));
        int unchanged = found.size() - active.size();
        if (active.isEmpty()) {
            return "nothing to cancel at " + path + ": " + (found.size() == 1 ? "it has" : "all " + found.size()
                    + " have") + " ended or been cancelled already";
        }
        return "cancelled " + active.size() + " context(s) at " + path + ", and everything under them"
                + (unchanged == 0 ? "" : " (" + unchanged + " more had ended or been cancelled already)");
    }
}
