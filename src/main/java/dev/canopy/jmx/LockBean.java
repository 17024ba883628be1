package dev.canopy.jmx;

import dev.canopy.internal.Durations;
import dev.canopy.spi.LockView;
import dev.canopy.status.LockSnapshot;

/** One named lock's MBean: every value is read from a fresh snapshot. */
final class LockBean implements LockMXBean {

    private final LockView l;

    LockBean(LockView l) {
        this.l = l;
    }

    private LockSnapshot s() {
        return l.snapshot();
    }

    @Override
    public String getName() {
        return l.name();
    }

    @Override
    public String getKind() {
        return l.kind().name();
    }

    @Override
    public String getOwnerPath() {
        return l.ownerPath();
    }

    @Override
    public boolean isFair() {
        return s().fair();
    }

    @Override
    public int getAvailablePermits() {
        return s().permits();
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
