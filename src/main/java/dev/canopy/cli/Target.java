package dev.canopy.cli;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.rmi.ssl.SslRMIClientSocketFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A JVM to look into: a local pid (Attach API → the target's local management agent → JMX), {@code host:port} of a
 * remote JMX agent, or a full {@code service:jmx:...} URL.
 */
final class Target {
    /** A failure the user can act on: printed as one line, with the command's exit code. */
    static final class Failure extends Exception {
        final int exitCode;

        Failure(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    final String spec;

    Target(String spec) {
        this.spec = spec;
    }

    boolean isPid() {
        return spec.chars().allMatch(Character::isDigit) && !spec.isEmpty() && spec.length() < 19;
    }

    /** Connects; the caller closes the connector. */
    JMXConnector connect(Options o) throws Failure {
        JMXServiceURL url = isPid() ? localAgent(spec) : remoteUrl(spec);
        Map<String, Object> env = new HashMap<>();
        if (o.user != null) {
            env.put(JMXConnector.CREDENTIALS, new String[]{o.user, password(o)});
        }
        if (o.ssl) {
            // the JDK's own javax.net.ssl.* properties configure the trust store
            env.put("com.sun.jndi.rmi.factory.socket", new SslRMIClientSocketFactory());
        }
        try {
            return JMXConnectorFactory.connect(url, env);
        } catch (SecurityException e) {
            throw new Failure(spec + ": the JMX agent refused the connection: " + e.getMessage()
                    + (o.user == null ? " (give --user and --password-file)" : ""), 1);
        } catch (IOException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            if (root instanceof SecurityException) {
                throw new Failure(spec + ": the JMX agent refused the connection: " + root.getMessage()
                        + (o.user == null ? " (give --user and --password-file)" : ""), 1);
            }
            throw new Failure(spec + ": cannot reach a JMX agent at " + url + ": " + CanopyCli.oneLine(root), 1);
        }
    }

    private static String password(Options o) throws Failure {
        if (o.passwordFile == null) {
            throw new Failure("--user needs --password-file (a file holding the password)", 2);
        }
        try {
            return Files.readString(Path.of(o.passwordFile), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new Failure("cannot read the password file " + o.passwordFile + ": " + why(e), 1);
        }
    }

    /**
     * Why a file could not be read or written, in words: the JDK's exceptions often carry only the path as their
     * message ({@code "x: x"} when printed after it).
     */
    static String why(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static JMXServiceURL remoteUrl(String spec) throws Failure {
        try {
            if (spec.startsWith("service:jmx:")) {
                return new JMXServiceURL(spec);
            }
            int colon = spec.lastIndexOf(':');
            if (colon <= 0 || colon == spec.length() - 1) {
                throw new Failure("not a target: \"" + spec + "\" (a pid, host:port or service:jmx: URL)", 2);
            }
            Integer.parseInt(spec.substring(colon + 1));
            return new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + spec + "/jmxrmi");
        } catch (java.net.MalformedURLException | NumberFormatException e) {
            throw new Failure("not a target: \"" + spec + "\" (a pid, host:port or service:jmx: URL)", 2);
        }
    }

    /**
     * Whether the process at {@code pid} has no JVM loaded, where the system says so ({@code /proc/<pid>/maps} on
     * Linux); false when it cannot tell (another OS, another user's process), and the attach decides.
     */
    static boolean isSurelyNotAJvm(String pid) {
        java.nio.file.Path maps = java.nio.file.Path.of("/proc", pid, "maps");
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(maps,
                java.nio.charset.StandardCharsets.ISO_8859_1)) {
            return lines.noneMatch(line -> line.contains("/libjvm.so"));
        } catch (IOException | SecurityException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /** Attaches, starts (or finds) the target's local management agent, detaches. */
    static JMXServiceURL localAgent(String pid) throws Failure {
        if (ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
            throw new Failure("no such process: " + pid, 1);
        }
        if (isSurelyNotAJvm(pid)) {
            // attaching signals the process (SIGQUIT), which ends one that is not a JVM: JDK 17 sends it unchecked
            throw new Failure("process " + pid + " is not a Java virtual machine (canopy list shows the JVMs it "
                    + "can attach to)", 1);
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(pid);
        } catch (AttachNotSupportedException e) {
            throw new Failure("cannot attach to " + pid + ": " + e.getMessage()
                    + " (is it a JVM run by the same user, without -XX:+DisableAttachMechanism?)", 1);
        } catch (IOException e) {
            throw new Failure("cannot attach to " + pid + ": " + e.getMessage()
                    + " (is it a JVM run by the same user, without -XX:+DisableAttachMechanism?)", 1);
        } catch (SecurityException e) {
            throw new Failure("not allowed to attach to " + pid + ": " + e.getMessage(), 1);
        }
        try {
            return new JMXServiceURL(vm.startLocalManagementAgent());
        } catch (IOException e) {
            throw new Failure("cannot start the management agent in " + pid + ": " + e.getMessage(), 1);
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    static MBeanServerConnection connection(JMXConnector c, String spec) throws Failure {
        try {
            return c.getMBeanServerConnection();
        } catch (IOException e) {
            throw new Failure(spec + ": the JMX connection failed: " + CanopyCli.oneLine(e), 1);
        }
    }
}
