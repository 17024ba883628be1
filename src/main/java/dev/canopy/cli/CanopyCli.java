package dev.canopy.cli;

import dev.canopy.status.RenderOptions;
import dev.canopy.status.Status;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import dev.canopy.internal.Names;
import dev.canopy.jfr.ContextRecording;
import dev.canopy.jfr.JfrTemplates;
import dev.canopy.jfr.TimelineEntry;

import javax.management.AttributeNotFoundException;
import javax.management.InstanceNotFoundException;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * {@code canopy}: look into a running JVM's Canopy tree from the terminal, record it with JFR, read recordings.
 * Every failure is one line on standard error and a non-zero exit code: 1 when the target cannot be reached or
 * read, 2 for a usage mistake, 3 when the target refuses (read-only).
 */
public final class CanopyCli {
    static final String REGISTRY = "dev.canopy:type=Registry";
    private static final String FLIGHT_RECORDER = "jdk.management.jfr:type=FlightRecorder";

    private final PrintStream out;
    private final PrintStream err;
    /** The registry MBean to read: {@code dev.canopy:type=Registry}, or another domain's with --domain. */
    private String registry = REGISTRY;

    CanopyCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns its exit code (0 on success). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new CanopyCli(out, err).dispatch(Arrays.asList(args));
    }

    private int dispatch(List<String> args) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
            out.print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        String command = args.get(0);
        try {
            if (command.equals("demo") && !args.contains("--help") && !args.contains("-h")) {
                return demo(args.subList(1, args.size())); // the demo parses its own options
            }
            Options o = Options.parse(args.subList(1, args.size()));
            if (o.domain != null) {
                registry = o.domain + ":type=Registry";
            }
            if (o.help) {
                out.print(help(command));
                return 0;
            }
            return switch (command) {
                case "list" -> list();
                case "status" -> status(o);
                case "deadlocks" -> deadlocks(o);
                case "cancel" -> cancel(o);
                case "record" -> record(o);
                case "jfr" -> jfr(o);
                case "demo" -> demo(args.subList(1, args.size()));
                default -> throw new Target.Failure("unknown command \"" + command + "\" (see canopy --help)", 2);
            };
        } catch (Target.Failure f) {
            err.println("canopy: " + f.getMessage());
            return f.exitCode;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("canopy: interrupted");
            return 130;
        } catch (Exception | LinkageError e) {
            err.println("canopy: " + command + " failed: " + oneLine(e));
            return 1;
        }
    }

    /** A failure as one line: the innermost cause's type and message, whitespace folded. */
    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        return text.replaceAll("\\s+", " ").strip();
    }

    // ------------------------------------------------------------------ list

    private int list() {
        List<VirtualMachineDescriptor> vms = VirtualMachine.list();
        out.printf("%-8s %-7s %s%n", "PID", "CANOPY", "MAIN");
        long self = ProcessHandle.current().pid();
        for (VirtualMachineDescriptor d : vms) {
            if (d.id().equals(String.valueOf(self))) {
                continue;
            }
            String mark;
            try {
                VirtualMachine vm = VirtualMachine.attach(d);
                try {
                    Properties p = vm.getSystemProperties();
                    mark = p.getProperty("dev.canopy.version") != null ? "yes" : "no";
                } finally {
                    vm.detach();
                }
            } catch (Exception e) {
                mark = "?";
            }
            out.printf("%-8s %-7s %s%n", d.id(), mark, d.displayName().isEmpty() ? "(unknown)" : d.displayName());
        }
        return 0;
    }

    // ------------------------------------------------------------------ status

    private int status(Options o) throws Exception {
        o.onlyFor("status", "--json", "-w", "--watch", "--interval", "--updates", "--path", "--expand", "--no-color");
        if (o.json && !o.path.isEmpty()) {
            throw new Target.Failure("--path selects a branch of the drawn tree; --json prints the whole status "
                    + "(select the branch from it, e.g. with jq)", 2);
        }
        if (o.positional.size() != 1) {
            throw new Target.Failure("status needs one target: canopy status <pid|host:port|url>[,<target>…]", 2);
        }
        List<String> specs = Arrays.asList(o.positional.get(0).split(","));
        RenderOptions render = (o.noColor ? RenderOptions.plain() : RenderOptions.forTerminal()).withPathPrefix(o.path);
        if (o.expand) {
            render = render.expanded();
        }
        if (!o.watch) {
            for (String spec : specs) {
                Status s = fetch(spec, o);
                if (!o.path.isEmpty() && !hasBranch(s.root(), o.path)) {
                    throw new Target.Failure(spec + ": no context at " + o.path, 1);
                }
                if (specs.size() > 1 && !o.json) {
                    out.println("== " + spec);
                }
                out.print(o.json ? s.toJson() + "\n" : s.render(render));
            }
            return 0;
        }
        return watch(specs, o, render);
    }

    /** Whether the tree has a context at {@code path}, or under it. */
    private static boolean hasBranch(dev.canopy.status.ContextStatus c, String path) {
        if (c.path().equals(path) || c.path().startsWith(path + ".")) {
            return true;
        }
        if (!path.startsWith(c.path() + ".")) {
            return false;
        }
        for (dev.canopy.status.ContextStatus child : c.children()) {
            if (hasBranch(child, path)) {
                return true;
            }
        }
        return c.omittedDescendants() > 0; // deeper than the snapshot keeps: it may be there
    }

    /**
     * Redraws the tree every interval, as held and waiting times grow while nothing else changes (the reason to
     * watch a stuck lock); as JSON, prints a line only when the content changed, durations aside. Until interrupted
     * or {@code --updates} screens (lines).
     */
    private int watch(List<String> specs, Options o, RenderOptions render) throws Exception {
        Map<String, Status> last = new HashMap<>();
        Map<String, JMXConnector> connections = new HashMap<>();
        // a terminal is redrawn in place; a pipe or a file gets the screens one after another, a blank line apart,
        // with no cursor codes in them
        boolean redraw = out == System.out && System.console() != null && !"dumb".equals(System.getenv("TERM"));
        int screens = 0;
        try {
            while (screens < o.updates) {
                boolean changed = false;
                StringBuilder screen = new StringBuilder();
                for (String spec : specs) {
                    JMXConnector c = connections.get(spec);
                    if (c == null) {
                        c = new Target(spec).connect(o);
                        connections.put(spec, c);
                    }
                    Status s = read(Target.connection(c, spec), spec);
                    Status before = last.put(spec, s);
                    if (before == null && !o.path.isEmpty() && !hasBranch(s.root(), o.path)) {
                        throw new Target.Failure(spec + ": no context at " + o.path, 1); // as without -w
                    }
                    changed |= !o.json || before == null || !s.sameContentAs(before);
                    if (specs.size() > 1 && !o.json) {
                        screen.append("== ").append(spec).append('\n');
                    }
                    screen.append(o.json ? s.toJson() + "\n" : s.render(render));
                }
                if (changed) {
                    if (!o.json && redraw) {
                        out.print("\u001b[H\u001b[2J");
                    } else if (!o.json && screens > 0) {
                        out.println();
                    }
                    out.print(screen);
                    out.flush();
                    screens++;
                }
                if (screens < o.updates) {
                    TimeUnit.NANOSECONDS.sleep(o.interval.toNanos());
                }
            }
        } finally {
            for (JMXConnector c : connections.values()) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // the target went away
                }
            }
        }
        return 0;
    }

    private Status fetch(String spec, Options o) throws Exception {
        try (JMXConnector c = new Target(spec).connect(o)) {
            MBeanServerConnection conn = Target.connection(c, spec);
            Status s = read(conn, spec);
            mentionOtherTrees(conn, spec);
            return s;
        }
    }

    /**
     * A JVM may hold more than one Canopy tree with a registry (the OpenTelemetry agent extension's own, beside the
     * application's, registers under {@code dev.canopy.otel}): say so, on standard error, with the command that
     * shows it.
     */
    private void mentionOtherTrees(MBeanServerConnection conn, String spec) {
        try {
            for (ObjectName other : conn.queryNames(new ObjectName("*:type=Registry"), null)) {
                String domain = other.getDomain();
                if (domain.startsWith("dev.canopy") && !other.toString().equals(registry)) {
                    err.println("also in " + spec + ": the tree in JMX domain " + domain
                            + " (canopy status --domain " + domain + " " + spec + ")");
                }
            }
        } catch (Exception e) {
            // only a hint: the status itself was read
        }
    }

    private Status read(MBeanServerConnection conn, String spec) throws Exception {
        String json;
        try {
            // an attribute, so a JMX role that may only read (monitorRole, "readonly" in jmxremote.access) can look
            json = (String) conn.getAttribute(new ObjectName(registry), "StatusJson");
        } catch (InstanceNotFoundException e) {
            throw new Target.Failure(spec + " has no Canopy (no " + registry + " MBean)", 1);
        } catch (AttributeNotFoundException e) {
            // a Canopy from before the attribute: only the operation, which needs a role that may invoke
            json = (String) invokeRegistry(conn, spec, "statusJson", new Object[0], new String[0]);
        }
        return Status.fromJson(json);
    }

    private Object invokeRegistry(MBeanServerConnection conn, String spec, String op, Object[] params,
                                         String[] signature) throws Exception {
        try {
            return conn.invoke(new ObjectName(registry), op, params, signature);
        } catch (InstanceNotFoundException e) {
            throw new Target.Failure(spec + " has no Canopy (no " + registry + " MBean)", 1);
        }
    }

    // ------------------------------------------------------------------ deadlocks, cancel

    private int deadlocks(Options o) throws Exception {
        o.onlyFor("deadlocks");
        if (o.positional.size() != 1) {
            throw new Target.Failure("deadlocks needs one target: canopy deadlocks <pid|host:port|url>", 2);
        }
        String spec = o.positional.get(0);
        try (JMXConnector c = new Target(spec).connect(o)) {
            MBeanServerConnection conn = Target.connection(c, spec);
            String[] cycles;
            try {
                // an attribute, so a JMX role that may only read can look, as for the status
                cycles = (String[]) conn.getAttribute(new ObjectName(registry), "Deadlocks");
            } catch (InstanceNotFoundException e) {
                throw new Target.Failure(spec + " has no Canopy (no " + registry + " MBean)", 1);
            } catch (AttributeNotFoundException e) {
                // a Canopy from before the attribute: only the operation, which needs a role that may invoke
                cycles = (String[]) invokeRegistry(conn, spec, "deadlocks", new Object[0], new String[0]);
            }
            if (cycles.length == 0) {
                out.println("no deadlocks");
            } else {
                out.println(cycles.length + " deadlock(s):");
                for (String cycle : cycles) {
                    out.println("  " + Names.escapeControls(cycle)); // thread names may hold escape sequences
                }
            }
            return 0;
        }
    }

    private int cancel(Options o) throws Exception {
        o.onlyFor("cancel");
        if (o.positional.size() < 2 || o.positional.size() > 3) {
            throw new Target.Failure("cancel needs a target and a path: canopy cancel <target> <path> [reason]", 2);
        }
        String spec = o.positional.get(0);
        String path = o.positional.get(1);
        String reason = o.positional.size() == 3 ? o.positional.get(2) : "cancelled from the canopy command line";
        try (JMXConnector c = new Target(spec).connect(o)) {
            MBeanServerConnection conn = Target.connection(c, spec);
            ObjectName registry = new ObjectName(this.registry);
            boolean hasCancel;
            try {
                hasCancel = Arrays.stream(conn.getMBeanInfo(registry).getOperations())
                        .anyMatch(op -> op.getName().equals("cancel"));
            } catch (InstanceNotFoundException e) {
                throw new Target.Failure(spec + " has no Canopy (no " + registry + " MBean)", 1);
            }
            if (!hasCancel) {
                throw new Target.Failure(spec + " runs Canopy's JMX read-only: cancel is refused", 3);
            }
            String result;
            try {
                result = (String) conn.invoke(registry, "cancel", new Object[]{path, reason},
                        new String[]{String.class.getName(), String.class.getName()});
            } catch (SecurityException e) {
                // the JMX agent's access file gives this user a role that may only read
                throw new Target.Failure(spec + ": the JMX agent refused cancel for this user: " + e.getMessage(), 3);
            }
            if (result.startsWith("no context at ") || result.startsWith("cancelled 0 ")) { // the latter: older targets
                throw new Target.Failure(spec + ": " + result, 1);
            }
            out.println(result);
            return 0;
        }
    }

    // ------------------------------------------------------------------ record

    private int record(Options o) throws Exception {
        if (o.positional.size() != 1) {
            throw new Target.Failure("record needs one target: canopy record <pid> [--duration 30s] [-o file.jfr]", 2);
        }
        String spec = o.positional.get(0);
        Path file = Path.of(o.output != null ? o.output
                : "canopy-" + spec.replaceAll("[^A-Za-z0-9]", "_") + "-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()) + ".jfr");
        try (JMXConnector c = new Target(spec).connect(o)) {
            MBeanServerConnection conn = Target.connection(c, spec);
            jdk.management.jfr.FlightRecorderMXBean jfr;
            try {
                jfr = JMX.newMXBeanProxy(conn, new ObjectName(FLIGHT_RECORDER), jdk.management.jfr.FlightRecorderMXBean.class);
                jfr.getRecordings();
            } catch (java.lang.reflect.UndeclaredThrowableException e) {
                if (e.getCause() instanceof InstanceNotFoundException) {
                    throw new Target.Failure(spec + " has no flight recorder over JMX (" + FLIGHT_RECORDER + ")", 1);
                }
                throw new Target.Failure(spec + ": " + oneLine(e), 1);
            }
            long id = jfr.newRecording();
            try {
                // the template travels over JMX: nothing has to exist on the target's disk
                jfr.setConfiguration(id, JfrTemplates.canopy());
                // the target stops by itself even if this CLI is killed mid-way
                jfr.setRecordingOptions(id, Map.of("name", "canopy-cli",
                        "duration", (o.duration.toSeconds() + 60) + " s", "maxSize", String.valueOf(256L << 20)));
                jfr.startRecording(id);
                err.println("recording " + spec + " for " + human(o.duration) + " …");
                TimeUnit.NANOSECONDS.sleep(o.duration.toNanos());
                jfr.stopRecording(id);
                long stream = jfr.openStream(id, Map.of());
                long bytes = 0;
                try (OutputStream w = Files.newOutputStream(file)) {
                    for (byte[] chunk; (chunk = jfr.readStream(stream)) != null; ) {
                        w.write(chunk);
                        bytes += chunk.length;
                    }
                } finally {
                    jfr.closeStream(stream);
                }
                out.println("recorded " + String.format("%,d", bytes) + " bytes to " + file);
                return 0;
            } finally {
                jfr.closeRecording(id);
            }
        }
    }

    // ------------------------------------------------------------------ jfr

    private int jfr(Options o) throws Exception {
        if (o.positional.size() != 2) {
            throw new Target.Failure("usage: canopy jfr tree|timeline|chrome <file.jfr> (see canopy jfr --help)", 2);
        }
        String what = o.positional.get(0);
        Path file = Path.of(o.positional.get(1));
        ContextRecording rec;
        try {
            rec = ContextRecording.read(file);
        } catch (NoSuchFileException e) {
            throw new Target.Failure("no such file: " + file, 1);
        } catch (IOException e) {
            throw new Target.Failure(e.getMessage(), 1);
        }
        if (o.at != null && !what.equals("tree")) {
            throw new Target.Failure("--at goes with jfr tree only", 2);
        }
        switch (what) {
            case "tree" -> {
                if (o.at == null) {
                    out.print(rec.renderTree());
                } else {
                    out.print(rec.at(MomentArgument.resolve(o.at, rec.recordingStart(), rec.recordingEnd())).render());
                }
            }
            case "timeline" -> {
                List<TimelineEntry> entries = o.path.isEmpty() ? rec.timeline() : rec.timeline(o.path);
                DateTimeFormatter time = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
                for (TimelineEntry t : entries) {
                    out.printf("%s %-9s %-45s %8s  %s%n", time.format(t.time()), t.kind(), t.path(),
                            t.duration().isZero() ? "" : human(t.duration()), t.detail());
                }
            }
            case "chrome" -> {
                if (o.output == null) {
                    throw new Target.Failure("jfr chrome needs -o trace.json", 2);
                }
                Files.writeString(Path.of(o.output), ChromeTrace.of(rec));
                out.println("wrote " + o.output + " (open it in https://ui.perfetto.dev or chrome://tracing)");
            }
            default -> throw new Target.Failure("unknown jfr command \"" + what + "\": tree, timeline or chrome", 2);
        }
        return 0;
    }

    private int demo(List<String> args) throws Exception {
        try {
            dev.canopy.demo.Demo.main(args.toArray(new String[0]));
            return 0;
        } catch (IllegalArgumentException e) {
            throw new Target.Failure(e.getMessage(), 2);
        }
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        return ms < 1000 ? ms + "ms" : ms < 60_000 ? String.format("%.1fs", ms / 1000.0)
                : (ms / 60_000) + "m " + (ms % 60_000 / 1000) + "s";
    }

    // ------------------------------------------------------------------ help

    static final String USAGE = """
            usage: canopy <command> [options]

              list                                  local JVMs, marking those with Canopy loaded
              status <target>[,<target>…]           the context tree (--json, -w/--watch, --path, --expand)
              deadlocks <target>                    deadlock cycles among named locks and JVM locks
              cancel <target> <path> [reason]       cancel the contexts at a path (refused when read-only)
              record <pid> [--duration 30s] [-o f]  record Canopy's JFR events with the packaged template
              jfr tree|timeline|chrome <file.jfr>   read a recording: tree (--at a moment), timeline, Chrome trace
              demo                                  run the demo

            <target> is a pid (same user; attaches and starts the JVM's local management agent),
            host:port of a remote JMX agent, or a service:jmx: URL. Remote options: --user NAME
            --password-file FILE, --ssl (with the JDK's javax.net.ssl.* properties).
            canopy <command> --help shows a command's options. Exit codes: 0 ok, 1 failed, 2 usage, 3 refused.
            """;

    static String help(String command) {
        return switch (command) {
            case "list" -> "usage: canopy list\n  Lists local JVMs (like jps); CANOPY is yes when Canopy is loaded, ? when it cannot attach.\n";
            case "status" -> """
                    usage: canopy status <target>[,<target>…] [options]
                      --json            print the status JSON (schema canopy.status/1)
                      -w, --watch       redraw every interval, until Ctrl-C (--json: a line when the tree changes)
                      --interval 1s     how often watch mode reads the target
                      --updates N       stop after N screens (--json: N lines)
                      --path PREFIX     only this branch, e.g. global.remote-access
                      --expand          draw every sibling, collapsing none
                      --no-color        plain text even on a terminal
                      --domain D        the tree registered in JMX domain D (default dev.canopy), e.g. the
                                        OpenTelemetry agent extension's dev.canopy.otel
                      --user U --password-file F --ssl    for remote targets
                    """;
            case "deadlocks" -> "usage: canopy deadlocks <target>\n  Prints each deadlock cycle as one line, or \"no deadlocks\".\n";
            case "cancel" -> "usage: canopy cancel <target> <path> [reason]\n  Cancels every live context at the dotted path and its subtree. Exit 3 when the target's JMX is read-only.\n";
            case "record" -> """
                    usage: canopy record <target> [--duration 30s] [-o file.jfr]
                      Starts a JFR recording in the target over JMX with the canopy.jfc template packaged in this
                      jar (no file needed on the target), stops it after the duration and saves it locally.
                    """;
            case "jfr" -> """
                    usage: canopy jfr tree <file.jfr> [--at TIME]
                           canopy jfr timeline <file.jfr> [--path PREFIX]
                           canopy jfr chrome <file.jfr> -o trace.json
                      tree: the context tree rebuilt from the recording, every context it saw;
                        --at TIME: the tree as it was at that moment, with the locks held and awaited. TIME is
                        start, end (when the recording stopped or was dumped: every lock then held or awaited,
                        however briefly), an offset into the recording (+1.5s, +250ms, +1m30s), a UTC time of
                        day as jfr timeline prints it (14:44:22.250) or an ISO instant (2024-05-01T14:44:22.250Z).
                      timeline: what happened to each context, in time order (times of day in UTC).
                      chrome: Chrome trace-event JSON for Perfetto or chrome://tracing: one track per context in
                        tree order, lock waits and holds on the context's track with arrows from holder to
                        waiter, cancels as instants.
                    """;
            case "demo" -> "usage: canopy demo [--duration 30s] [--interval 2s] [--quiet]\n  Runs the demo program.\n";
            default -> USAGE;
        };
    }

}
