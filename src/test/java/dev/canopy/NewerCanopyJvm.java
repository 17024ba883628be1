package dev.canopy;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;

import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * A JVM that looks like one running a later Canopy: its registry MBean answers with a status schema this version
 * does not read. For the CLI's handling of a target it cannot read.
 */
public final class NewerCanopyJvm {
    private NewerCanopyJvm() {
    }

    /** The one attribute the CLI reads. */
    public interface LaterRegistry {
        String getStatusJson();
    }

    public static void main(String[] args) throws Exception {
        LaterRegistry later = () -> "{\"schema\":\"canopy.status/2\",\"trees\":[]}";
        ManagementFactory.getPlatformMBeanServer().registerMBean(new StandardMBean(later, LaterRegistry.class),
                new ObjectName("dev.canopy:type=Registry"));
        System.out.println("Newer Canopy JVM running as pid " + ProcessHandle.current().pid());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
