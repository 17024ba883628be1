package dev.canopy;

import dev.canopy.status.SystemMetrics;

import java.time.Duration;
import java.util.Optional;

/**
 * Samples {@link SystemMetrics} when a status is taken (never in the background). Network rates need two samples:
 * the previous one is kept, and a rate is given when it is less than a minute old.
 */
final class SystemMetricsSampler {
    private static final long MAX_RATE_GAP_NANOS = 60_000_000_000L;

    private final SystemProbe probe;
    private long lastNetNanos;
    private long lastRx = -1;
    private long lastTx = -1;

    SystemMetricsSampler(SystemProbe probe) {
        this.probe = probe;
    }

    synchronized SystemMetrics sample() {
        Long memTotal = null;
        Long memUsed = null;
        Optional<String> meminfo = probe.proc("meminfo");
        if (meminfo.isPresent()) {
            long total = meminfoKb(meminfo.get(), "MemTotal:");
            long available = meminfoKb(meminfo.get(), "MemAvailable:");
            if (total > 0 && available >= 0) {
                memTotal = total * 1024;
                memUsed = (total - available) * 1024;
            }
        }
        if (memTotal == null) {
            long total = safe(probe::totalMemory);
            long free = safe(probe::freeMemory);
            if (total > 0 && free >= 0) {
                memTotal = total;
                memUsed = total - free;
            }
        }
        long diskTotal = safe(probe::diskTotal);
        long diskUsable = safe(probe::diskUsable);
        Double[] load = loadAverages();
        double cpu = safeDouble(probe::cpuLoad);
        Long[] net = networkRates();
        long heapUsed = safe(probe::heapUsed);
        long heapMax = safe(probe::heapMax);
        int threads = (int) safe(probe::threads);
        int daemons = (int) safe(probe::daemonThreads);
        long jvmUp = safe(probe::jvmUptimeMillis);
        return new SystemMetrics(
                cpu >= 0 && cpu <= 1 ? Math.round(cpu * 1000) / 10.0 : null,
                memUsed, memTotal,
                diskTotal > 0 && diskUsable >= 0 ? diskTotal - diskUsable : null,
                diskTotal > 0 ? diskTotal : null,
                net[0], net[1], load[0], load[1], load[2], uptime(),
                heapUsed >= 0 ? heapUsed : null,
                heapMax > 0 ? heapMax : null,
                threads >= 0 ? threads : null,
                daemons >= 0 ? daemons : null,
                jvmUp >= 0 ? Duration.ofMillis(jvmUp) : null);
    }

    private interface LongSource {
        long get();
    }

    private interface DoubleSource {
        double get();
    }

    /** A source that throws (a missing bean, a security manager) is an unknown value, not a failed status. */
    private static long safe(LongSource s) {
        try {
            return s.get();
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    private static double safeDouble(DoubleSource s) {
        try {
            return s.get();
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    private Optional<String> proc(String name) {
        try {
            return probe.proc(name);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    static long meminfoKb(String meminfo, String field) {
        for (String line : meminfo.split("\n")) {
            if (line.startsWith(field)) {
                String[] parts = line.substring(field.length()).trim().split("\\s+");
                try {
                    return Long.parseLong(parts[0]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private Double[] loadAverages() {
        Optional<String> loadavg = proc("loadavg");
        if (loadavg.isPresent()) {
            String[] parts = loadavg.get().trim().split("\\s+");
            try {
                return new Double[]{Double.parseDouble(parts[0]), Double.parseDouble(parts[1]),
                        Double.parseDouble(parts[2])};
            } catch (RuntimeException e) {
                // fall through to the bean
            }
        }
        double one;
        try {
            one = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        } catch (RuntimeException e) {
            one = -1;
        }
        return new Double[]{one >= 0 && probe == SystemProbe.jdk() ? one : null, null, null};
    }

    private Duration uptime() {
        Optional<String> up = proc("uptime");
        if (up.isEmpty()) {
            return null;
        }
        try {
            double seconds = Double.parseDouble(up.get().trim().split("\\s+")[0]);
            return Duration.ofMillis((long) (seconds * 1000));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Bytes per second received and sent over all interfaces but loopback, since the previous sample. */
    private Long[] networkRates() {
        Optional<String> dev = proc("net/dev");
        if (dev.isEmpty()) {
            return new Long[]{null, null};
        }
        long rx = 0;
        long tx = 0;
        for (String line : dev.get().split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String iface = line.substring(0, colon).trim();
            if (iface.equals("lo")) {
                continue;
            }
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            if (f.length < 9) {
                continue;
            }
            try {
                rx += Long.parseLong(f[0]);
                tx += Long.parseLong(f[8]);
            } catch (NumberFormatException e) {
                return new Long[]{null, null};
            }
        }
        long now = probe.nanoTime();
        Long[] rates = {null, null};
        long gap = now - lastNetNanos;
        if (lastRx >= 0 && gap > 0 && gap < MAX_RATE_GAP_NANOS && rx >= lastRx && tx >= lastTx) {
            rates[0] = (rx - lastRx) * 1_000_000_000L / gap;
            rates[1] = (tx - lastTx) * 1_000_000_000L / gap;
        }
        lastRx = rx;
        lastTx = tx;
        lastNetNanos = now;
        return rates;
    }
}
