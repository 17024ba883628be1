package dev.canopy.jmx;

import dev.canopy.LockKind;
import dev.canopy.spi.LockView;
import dev.canopy.status.LockHolder;
import dev.canopy.status.LockSnapshot;
import dev.canopy.status.LockWaiter;

import java.beans.ConstructorProperties;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The permits of the named semaphores that share one name and one owner path, added up, now: a row of the registry's
 * {@code SemaphorePermits} (a CompositeData over JMX). {@link LockRow} counts holders as contexts; this counts
 * permits, so "the pool is exhausted and requests queue" reads as {@code available == 0 && requested > 0}.
 */
public final class PermitRow {
    private final int available;
    private final int held;
    private final int requested;

    @ConstructorProperties({"available", "held", "requested"})
    public PermitRow(int available, int held, int requested) {
        this.available = available;
        this.held = held;
        this.requested = requested;
    }

    /** Permits free now. */
    public int getAvailable() {
        return available;
    }

    /** Permits held now, by contexts that are running or have ended without releasing them. */
    public int getHeld() {
        return held;
    }

    /** Permits the waiters ask for now, summed over waiters. */
    public int getRequested() {
        return requested;
    }

    /** A row per owner path and semaphore name, both sorted; other kinds of lock have none. */
    static Map<String, Map<String, PermitRow>> rows(List<LockView> locks) {
        Map<String, Map<String, int[]>> sums = new TreeMap<>();
        for (LockView lock : locks) {
            if (lock.kind() != LockKind.SEMAPHORE) {
                continue;
            }
            LockSnapshot s = lock.snapshot();
            int[] sum = sums.computeIfAbsent(s.ownerPath(), p -> new TreeMap<>())
                    .computeIfAbsent(s.name(), n -> new int[3]);
            sum[0] += s.permits();
            for (LockHolder h : s.holders()) {
                sum[1] += h.count();
            }
            for (LockWaiter w : s.waiters()) {
                sum[2] += w.permits();
            }
        }
        Map<String, Map<String, PermitRow>> out = new TreeMap<>();
        sums.forEach((path, byName) -> byName.forEach((name, sum) ->
                out.computeIfAbsent(path, p -> new TreeMap<>()).put(name, new PermitRow(sum[0], sum[1], sum[2]))));
        return out;
    }
}
