package dev.canopy;

import dev.canopy.status.SystemMetrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

class SystemMetricsTest {

    @Test
    @EnabledOnOs(OS.LINUX)
    void presentOnLinux() {
        SystemMetricsSampler sampler = new SystemMetricsSampler(SystemProbe.jdk());
        sampler.sample();
        SystemMetrics m = sampler.sample();
        assertNotNull(m.memoryTotalBytes());
        assertTrue(m.memoryUsedBytes() > 0 && m.memoryUsedBytes() <= m.memoryTotalBytes());
        assertNotNull(m.diskTotalBytes());
        assertNotNull(m.loadAverage1());
        assertNotNull(m.loadAverage15());
        assertNotNull(m.uptime());
        assertNotNull(m.networkRxBytesPerSecond(), "a rate once two samples exist");
        assertTrue(m.jvmHeapUsedBytes() > 0);
        assertTrue(m.jvmThreads() > 0);
        assertNotNull(m.jvmUptime());
    }

    @Test
    void everySourceMissingGivesUnknownsNotACrash() {
        SystemProbe broken = mock(SystemProbe.class);
        when(broken.proc(anyString())).thenReturn(Optional.empty());
        when(broken.cpuLoad()).thenReturn(-1.0);
        when(broken.totalMemory()).thenThrow(new UnsupportedOperationException("no bean here"));
        when(broken.freeMemory()).thenReturn(-1L);
        when(broken.diskTotal()).thenReturn(-1L);
        when(broken.diskUsable()).thenReturn(-1L);
        when(broken.heapUsed()).thenReturn(-1L);
        when(broken.heapMax()).thenReturn(-1L);
        when(broken.threads()).thenReturn(-1);
        when(broken.daemonThreads()).thenReturn(-1);
        when(broken.jvmUptimeMillis()).thenReturn(-1L);
        SystemMetrics m = new SystemMetricsSampler(broken).sample();
        assertEquals(SystemMetrics.unknown(), m);
        assertEquals("System: CPU ? | RAM ?/? | Disk ?/? | Load ? | Net ↓? ↑? | Up ?\nJVM: heap ?/? | threads ? | up ?",
                m.describe());
    }

    @Test
    void procFilesAreParsedAndRatesComputedBetweenSamples() {
        SystemProbe probe = mock(SystemProbe.class);
        when(probe.proc("meminfo")).thenReturn(Optional.of("MemTotal:       16000000 kB\nMemFree: 1 kB\nMemAvailable:   12000000 kB\n"));
        when(probe.proc("loadavg")).thenReturn(Optional.of("0.80 1.20 1.50 2/345 6789\n"));
        when(probe.proc("uptime")).thenReturn(Optional.of("475200.00 900000.00\n"));
        when(probe.proc("net/dev")).thenReturn(
                Optional.of("Inter-| Receive | Transmit\n face |bytes packets|bytes\n"
                        + "    lo: 999 1 0 0 0 0 0 0 999 1 0 0 0 0 0 0\n"
                        + "  eth0: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n"),
                Optional.of("Inter-| Receive | Transmit\n face |bytes packets|bytes\n"
                        + "    lo: 999 1 0 0 0 0 0 0 999 1 0 0 0 0 0 0\n"
                        + "  eth0: 129000 10 0 0 0 0 0 0 70600 20 0 0 0 0 0 0\n"));
        when(probe.nanoTime()).thenReturn(0L, 1_000_000_000L);
        when(probe.cpuLoad()).thenReturn(0.123);
        when(probe.diskTotal()).thenReturn(500L << 30);
        when(probe.diskUsable()).thenReturn(455L << 30);
        SystemMetricsSampler sampler = new SystemMetricsSampler(probe);
        assertNull(sampler.sample().networkRxBytesPerSecond(), "no rate from a single sample");
        SystemMetrics m = sampler.sample();
        assertEquals(12.3, m.cpuPercent());
        assertEquals(4_000_000L * 1024, m.memoryUsedBytes());
        assertEquals(0.8, m.loadAverage1());
        assertEquals(1.5, m.loadAverage15());
        assertEquals(128_000, m.networkRxBytesPerSecond());
        assertEquals(68_600, m.networkTxBytesPerSecond());
        assertEquals(45L << 30, m.diskUsedBytes());
        assertTrue(m.describe().startsWith(
                "System: CPU 12.3% | RAM 3.8GB/15.3GB | Disk 45.0GB/500GB | Load 0.8,1.2,1.5 | Net ↓125KB/s ↑67.0KB/s | Up 5d 12h"),
                m.describe());
    }
}
