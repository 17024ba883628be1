package dev.canopy;

import dev.canopy.jmx.ContextViewMXBean;
import dev.canopy.jmx.RegistryMXBean;
import org.junit.jupiter.api.Test;

import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Set;

import static dev.canopy.TestTrees.awaitTrue;
import static org.junit.jupiter.api.Assertions.*;

/** What a monitoring system does: remote JMX on a loopback port, the registry and a context bean. */
class RemoteJmxTest {

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aMonitoringSystemReadsTheDemoOverRemoteJmx() throws Exception {
        int port = freePort();
        try (DemoProcess demo = DemoProcess.start(
                "-Dcom.sun.management.jmxremote.port=" + port,
                "-Dcom.sun.management.jmxremote.rmi.port=" + port,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                "-Djava.rmi.server.hostname=127.0.0.1",
                "-Dcom.sun.management.jmxremote.authenticate=false",
                "-Dcom.sun.management.jmxremote.ssl=false");
             JMXConnector connector = JMXConnectorFactory.connect(
                     new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi"))) {
            MBeanServerConnection conn = connector.getMBeanServerConnection();
            ObjectName registryName = new ObjectName("dev.canopy:type=Registry");
            RegistryMXBean registry = JMX.newMXBeanProxy(conn, registryName, RegistryMXBean.class);
            assertEquals("global", registry.getRootName());
            awaitTrue("contexts live", () -> registry.getLiveContexts() > 5);
            assertTrue(conn.getAttribute(registryName, "LiveContexts") instanceof Long, "numbers as numbers");
            assertTrue(registry.statusText().contains("remote-access"));

            // long-lived contexts get beans after the 1 s threshold
            ObjectName pattern = new ObjectName("dev.canopy:type=Context,l0=global,l1=remote-access,name=*");
            awaitTrue("remote-access has its bean", () -> {
                try {
                    return !conn.queryNames(pattern, null).isEmpty();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Set<ObjectName> names = conn.queryNames(pattern, null);
            ContextViewMXBean remote = JMX.newMXBeanProxy(conn, names.iterator().next(), ContextViewMXBean.class);
            assertEquals("global.remote-access", remote.getPath());
            assertEquals("ACTIVE", remote.getState());
            assertTrue(remote.getDurationMillis() >= 1_000);
            assertTrue(remote.getData().contains("2222"), remote.getData());
            assertTrue(registry.getCounterTotals().containsKey("global.remote-access.connections"));
        }
    }
}
