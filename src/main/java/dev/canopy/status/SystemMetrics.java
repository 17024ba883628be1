package dev.canopy.status;

import java.time.Duration;

/**
 * The machine and the JVM at the moment of a status snapshot. Every value is {@code null} when its source is
 * missing on this platform (no {@code /proc}, a container hiding it, a JDK without the bean): unknown, never a
 * crash. Rates are measured between two status reads, so the first read has none.
 *
 * @param cpuPercent             machine CPU use, 0–100
 * @param loadAverage1           load averages over 1, 5 and 15 minutes
 * @param uptime                 machine uptime
 * @param networkRxBytesPerSecond received over all interfaces but loopback
 */
public record SystemMetrics(Double cpuPercent, Long memoryUsedBytes, Long memoryTotalBytes, Long diskUsedBytes,
                            Long diskTotalBytes, Long networkRxBytesPerSecond, Long networkTxBytesPerSecond,
                            Double loadAverage1, Double loadAverage5, Double loadAverage15, Duration uptime,
                            Long jvmHeapUsedBytes, Long jvmHeapMaxBytes, Integer jvmThreads, Integer jvmDaemonThreads,
                            Duration jvmUptime) {

    /** Every value unknown: what a runtime without any source gives. */
    public static SystemMetrics unknown() {
        return new SystemMetrics(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    /** The two lines status shows: {@code System: CPU 12.3% | RAM 3.8GB/15.3GB | …} and {@code JVM: heap …}. */
    public String describe() {
        return StatusRenderer.systemLine(this);
    }
}
