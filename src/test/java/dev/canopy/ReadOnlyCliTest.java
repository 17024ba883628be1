package dev.canopy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static dev.canopy.CliTest.cli;
import static org.junit.jupiter.api.Assertions.*;

/** {@code canopy status} as a JMX user who may only read, against a JVM that asks for a password. */
class ReadOnlyCliTest {
    @TempDir
    Path dir;

    @Test
    void aReadOnlyJmxUserSeesTheTreeButCannotCancel() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path passwords = dir.resolve("jmxremote.password");
        Files.writeString(passwords, "monitorRole look-only\ncontrolRole act-too\n");
        Files.setPosixFilePermissions(passwords, PosixFilePermissions.fromString("rw-------"));
        Path access = dir.resolve("jmxremote.access");
        Files.writeString(access, "monitorRole readonly\ncontrolRole readwrite\n");
        Path secret = dir.resolve("pw");
        Files.writeString(secret, "look-only\n");
        try (DemoProcess secured = DemoProcess.start(
                "-Dcom.sun.management.jmxremote.port=" + port, "-Dcom.sun.management.jmxremote.rmi.port=" + port,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1",
                "-Dcom.sun.management.jmxremote.ssl=false", "-Dcom.sun.management.jmxremote.authenticate=true",
                "-Dcom.sun.management.jmxremote.password.file=" + passwords,
                "-Dcom.sun.management.jmxremote.access.file=" + access)) {
            String target = "127.0.0.1:" + port;
            String[] asMonitor = {"--user", "monitorRole", "--password-file", secret.toString()};

            CliTest.Result status = cli(concat(new String[]{"status", target, "--no-color"}, asMonitor));
            assertEquals(0, status.exit(), status.err());
            assertTrue(status.out().contains("remote-access"), status.out());
            assertTrue(status.out().contains("http-proxy"), status.out());

            CliTest.Result json = cli(concat(new String[]{"status", target, "--json"}, asMonitor));
            assertEquals(0, json.exit(), json.err());
            assertTrue(json.out().contains("\"schema\":\"canopy.status/1\""), json.out());

            CliTest.Result deadlocks = cli(concat(new String[]{"deadlocks", target}, asMonitor));
            assertEquals(0, deadlocks.exit(), deadlocks.err());
            assertEquals("no deadlocks", deadlocks.out().strip());

            // the JMX agent itself refuses what the role may not do: the operations that act
            CliTest.Result cancel = cli(concat(new String[]{"cancel", target, "global.chat-service"}, asMonitor));
            assertEquals(3, cancel.exit(), "refused: " + cancel.err());
            assertEquals(1, cancel.err().lines().count(), cancel.err());
            assertTrue(cancel.err().startsWith("canopy: " + target + ": the JMX agent refused cancel for this user: "
                    + "Access denied!"), cancel.err());
            CliTest.Result after = cli(concat(new String[]{"status", target, "--json"}, asMonitor));
            assertTrue(after.out().contains("\"chat-service\""), "nothing was cancelled");

            // starting a recording is an operation too: refused, and no file is left behind
            Path recording = dir.resolve("refused.jfr");
            CliTest.Result record = cli(concat(new String[]{"record", target, "--duration", "1s", "-o",
                    recording.toString()}, asMonitor));
            assertEquals(3, record.exit(), "refused: " + record.err());
            assertEquals("canopy: " + target + ": the JMX agent refused to start a recording for this user (a role "
                    + "that may only read)", record.err().strip());
            assertFalse(Files.exists(recording));
            assertFalse(Files.exists(dir.resolve("refused.jfr.part")));
        }
    }

    /** A Canopy from before the StatusJson and Deadlocks attributes: only the statusJson() and deadlocks() operations. */
    @Test
    void anOlderRegistryWithoutTheAttributeIsReadThroughItsOperation() throws Exception {
        String json;
        try (ContextTree tree = ContextTree.builder().rootName("older").build()) {
            tree.root().child("svc").open();
            json = tree.statusJson();
        }
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        server.registerMBean(new DynamicMBean() {
            @Override
            public Object getAttribute(String attribute) throws AttributeNotFoundException {
                throw new AttributeNotFoundException("no attribute " + attribute);
            }

            @Override
            public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
                throw new AttributeNotFoundException("no attribute " + attribute.getName());
            }

            @Override
            public AttributeList getAttributes(String[] attributes) {
                return new AttributeList();
            }

            @Override
            public AttributeList setAttributes(AttributeList attributes) {
                return new AttributeList();
            }

            @Override
            public Object invoke(String action, Object[] params, String[] signature) throws ReflectionException {
                if (action.equals("statusJson")) {
                    return json;
                }
                if (action.equals("deadlocks")) {
                    return new String[]{"older.a [t#1] waits for \"x\" → older.b [t#2] waits for \"y\" → (back to older.a)"};
                }
                throw new ReflectionException(new NoSuchMethodException(action));
            }

            @Override
            public MBeanInfo getMBeanInfo() {
                return new MBeanInfo("OlderRegistry", "a registry with the operation only", null, null,
                        new MBeanOperationInfo[]{new MBeanOperationInfo("statusJson", "the status as JSON",
                                null, String.class.getName(), MBeanOperationInfo.INFO)}, null);
            }
        }, new ObjectName("dev.canopy:type=Registry"));
        JMXConnectorServer connector = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("service:jmx:rmi://127.0.0.1"), null, server);
        connector.start();
        try {
            CliTest.Result r = cli("status", connector.getAddress().toString(), "--no-color");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("older ("), r.out());
            assertTrue(r.out().contains("svc"), r.out());
            CliTest.Result d = cli("deadlocks", connector.getAddress().toString());
            assertEquals(0, d.exit(), d.err());
            assertTrue(d.out().startsWith("1 deadlock(s):\n  older.a [t#1] waits for \"x\""), d.out());
        } finally {
            connector.stop();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
