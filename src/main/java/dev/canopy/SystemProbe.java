package dev.canopy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where system metrics come from. Every method answers "unknown" (empty, negative, null) instead of throwing, so a
 * platform without {@code /proc} or a bean degrades to unknown values. Tests substitute a mock.
 */
interface SystemProbe {
    /** The text of a {@code /proc} file, if it exists and is readable. */
    Optional<String> proc(String name);

    /** Machine CPU load 0..1, negative if unknown. */
    double cpuLoad();

    /** Total and free physical memory in bytes, negative if unknown. */
    long totalMemory();

    long freeMemory();

    /** Total and usable bytes of the file system holding the working directory, negative if unknown. */
    long diskTotal();

    long diskUsable();

    /** The JVM's own figures; negative or null if unknown. */
    long heapUsed();

    long heapMax();

    int threads();

    int daemonThreads();

    long jvmUptimeMillis();

    long nanoTime();

    static SystemProbe jdk() {
        return JdkProbe.INSTANCE;
    }

    /** The running JVM and its machine: management beans, {@code /proc} where present. */
    enum JdkProbe implements SystemProbe {
        INSTANCE;

        @Override
        public Optional<String> proc(String name) {
            try {
                Path p = Path.of("/proc", name);
                return Files.isReadable(p) ? Optional.of(Files.readString(p)) : Optional.empty();
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        private static com.sun.management.OperatingSystemMXBean sunBean() {
            OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            return os instanceof com.sun.management.OperatingSystemMXBean s ? s : null;
        }

        @Override
        public double cpuLoad() {
            com.sun.management.OperatingSystemMXBean s = sunBean();
            return s == null ? -1 : s.getCpuLoad();
        }

        @Override
        public long totalMemory() {
            com.sun.management.OperatingSystemMXBean s = sunBean();
            return s == null ? -1 : s.getTotalMemorySize();
        }

        @Override
        public long freeMemory() {
            com.sun.management.OperatingSystemMXBean s = sunBean();
            return s == null ? -1 : s.getFreeMemorySize();
        }

        @Override
        public long diskTotal() {
            try {
                return Files.getFileStore(Path.of(".").toAbsolutePath()).getTotalSpace();
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        @Override
        public long diskUsable() {
            try {
                return Files.getFileStore(Path.of(".").toAbsolutePath()).getUsableSpace();
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        @Override
        public long heapUsed() {
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            return heap.getUsed();
        }

        @Override
        public long heapMax() {
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            return heap.getMax();
        }

        @Override
        public int threads() {
            return ManagementFactory.getThreadMXBean().getThreadCount();
        }

        @Override
        public int daemonThreads() {
            ThreadMXBean t = ManagementFactory.getThreadMXBean();
            return t.getDaemonThreadCount();
        }

        @Override
        public long jvmUptimeMillis() {
            return ManagementFactory.getRuntimeMXBean().getUptime();
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }
    }
}
