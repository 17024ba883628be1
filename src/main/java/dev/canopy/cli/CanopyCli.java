package dev.canopy.cli;

import dev.canopy.status.RenderOptions;
import dev.canopy.status.Status;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import dev.canopy.internal.Names;
import dev.canopy.jfr.ContextRecording;
import dev.canopy.jfr.TimelineEntry;

import javax.management.AttributeNotFoundException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
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

    private final PrintStream out;
    private final PrintStream err;
    /** The registry MBean to read: {@code dev.canopy:type=Registry}, or another domain's with --domain. */
    private String registry = REGISTRY;
    /** Calls into targets, each given the command's --timeout. */
    private TargetCalls calls;

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
            calls = new TargetCalls(o.timeout);
            return switch (command) {
                case "list" -> list(o);
                case "status" -> status(o);
                case "deadlocks" -> deadlocks(o);
                case "cancel" -> cancel(o);
                case "record" -> new Recorder(out, err, calls).record(o);
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
        } finally {
            if (calls != null) {
                calls.close();
            }
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

    private int list(Options o) throws InterruptedException, Target.Failure {
        o.onlyFor("list", List.of("--timeout"));
        if (!o.positional.isEmpty()) {
            throw new Target.Failure("list takes no arguments, not \"" + o.positional.get(0) + "\"", 2);
        }
        long self = ProcessHandle.current().pid();
        List<VirtualMachineDescriptor> vms = VirtualMachine.list().stream()
                .filter(d -> !d.id().equals(String.valueOf(self))).toList();
        // every JVM asked at once, so one that does not answer costs the timeout once, not once per JVM
        List<java.util.concurrent.FutureTask<String>> marks = new java.util.ArrayList<>();
        for (VirtualMachineDescriptor d : vms) {
            java.util.concurrent.FutureTask<String> mark = new java.util.concurrent.FutureTask<>(() -> canopyMark(d));
            Thread asking = new Thread(mark, "canopy-list-" + d.id());
            asking.setDaemon(true);
            asking.start();
            marks.add(mark);
        }
        long deadline = System.nanoTime() + o.timeout.toNanos();
        out.printf("%-8s %-7s %s%n", "PID", "CANOPY", "MAIN");
        for (int i = 0; i < vms.size(); i++) {
            VirtualMachineDescriptor d = vms.get(i);
            String mark;
            try {
                mark = marks.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                marks.get(i).cancel(true);
                mark = "?";
            }
            out.printf("%-8s %-7s %s%n", d.id(), mark, Names.escapeControls(d.displayName().isEmpty() ? "(unknown)"
                    : d.displayName()));
        }
        return 0;
    }

    /** "yes" when the JVM has Canopy loaded, "no" when not, "?" when it cannot be asked. */
    private static String canopyMark(VirtualMachineDescriptor d) {
        if (Target.isSurelyNotAJvm(d.id())) {
            return "?"; // a stale entry whose pid now belongs to another program: attaching would signal it
        }
        try {
            VirtualMachine vm = VirtualMachine.attach(d);
            try {
                Properties p = vm.getSystemProperties();
                return p.getProperty("dev.canopy.version") != null ? "yes" : "no";
            } finally {
                vm.detach();
            }
        } catch (Exception e) {
            return "?";
        }
    }

    // ------------------------------------------------------------------ status

    private int status(Options o) throws Exception {
        o.onlyFor("status", Options.TARGET_OPTIONS, "--json", "-w", "--watch", "--interval", "--updates", "--path",
                "--expand", "--no-color");
        o.onlyWith("--interval", o.watch, "goes with -w (watch)");
        o.onlyWith("--updates", o.watch, "goes with -w (watch)");
        o.onlyWith("--expand", !o.json, "draws the tree; --json prints all of it");
        o.onlyWith("--no-color", !o.json, "is for the drawn tree; --json has no colour");
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
            // each target on its own: one that fails is reported and the others are still shown
            int exit = 0;
            for (String spec : specs) {
                try {
                    Status s;
                    try {
                        s = calls.call(spec, () -> fetch(spec, o));
                    } catch (Target.Failure | InterruptedException e) {
                        throw e;
                    } catch (Exception e) {
                        // e.g. a newer Canopy's status schema: this target's failure, not the command's
                        throw new Target.Failure(spec + ": could not read its status: " + oneLine(e), 1);
                    }
                    if (!o.path.isEmpty() && !hasBranch(s.root(), o.path)) {
                        throw new Target.Failure(spec + ": no context at " + o.path, 1);
                    }
                    if (specs.size() > 1 && !o.json) {
                        out.println("== " + spec);
                    }
                    out.print(o.json ? json(specs, spec, s) + "\n" : s.render(render));
                } catch (Target.Failure f) {
                    if (specs.size() == 1) {
                        throw f;
                    }
                    out.flush();
                    err.println("canopy: " + f.getMessage());
                    exit = Math.max(exit, f.exitCode);
                }
            }
            return exit;
        }
        return watch(specs, o, render);
    }

    /**
     * One target's status as a JSON line: the status itself for one target; for several, which target each line
     * is from, as {@code {"target": "...", "status": {...}}}.
     */
    private static String json(List<String> specs, String spec, Status s) throws IOException {
        if (specs.size() == 1) {
            return s.toJson();
        }
        return "{\"target\":" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(spec)
                + ",\"status\":" + s.toJson() + "}";
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
                    JMXConnector open = connections.get(spec);
                    JMXConnector c = open != null ? open : calls.call(spec, () -> new Target(spec).connect(o));
                    connections.put(spec, c);
                    Status s = calls.call(spec, () -> read(Target.connection(c, spec), spec));
                    Status before = last.put(spec, s);
                    if (before == null && !o.path.isEmpty() && !hasBranch(s.root(), o.path)) {
                        throw new Target.Failure(spec + ": no context at " + o.path, 1); // as without -w
                    }
                    changed |= !o.json || before == null || !s.sameContentAs(before);
                    if (specs.size() > 1 && !o.json) {
                        screen.append("== ").append(spec).append('\n');
                    }
                    screen.append(o.json ? json(specs, spec, s) + "\n" : s.render(render));
                }
                if (changed) {
                    if (!o.json && redraw) {
                        out.print("\u001b[H\u001b[2J");
                    } else if (!o.json && screens > 0) {
                        out.println();
                    }
                    out.print(screen);
                    if (out.checkError()) {
                        return 0; // the reader has gone (`canopy status -w 42 | head`): nobody to draw for
                    }
                    screens++;
                }
                if (screens < o.updates) {
                    TimeUnit.NANOSECONDS.sleep(o.interval.toNanos());
                }
            }
        } finally {
            connections.forEach(calls::closeQuietly);
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
        } catch (IOException e) {
            throw lost(spec, e);
        }
        return Status.fromJson(json);
    }

    /** A connection that broke after it was made: the target exited, or the network went. */
    static Target.Failure lost(String spec, IOException e) {
        return new Target.Failure(spec + ": lost the JMX connection (has the JVM exited?): " + oneLine(e), 1);
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
        o.onlyFor("deadlocks", Options.TARGET_OPTIONS);
        if (o.positional.size() != 1) {
            throw new Target.Failure("deadlocks needs one target: canopy deadlocks <pid|host:port|url>", 2);
        }
        String spec = o.positional.get(0);
        String[] cycles = calls.call(spec, () -> readDeadlocks(spec, o));
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

    private String[] readDeadlocks(String spec, Options o) throws Exception {
        try (JMXConnector c = new Target(spec).connect(o)) {
            MBeanServerConnection conn = Target.connection(c, spec);
            try {
                // an attribute, so a JMX role that may only read can look, as for the status
                return (String[]) conn.getAttribute(new ObjectName(registry), "Deadlocks");
            } catch (InstanceNotFoundException e) {
                throw new Target.Failure(spec + " has no Canopy (no " + registry + " MBean)", 1);
            } catch (AttributeNotFoundException e) {
                // a Canopy from before the attribute: only the operation, which needs a role that may invoke
                return (String[]) invokeRegistry(conn, spec, "deadlocks", new Object[0], new String[0]);
            }
        }
    }

    private int cancel(Options o) throws Exception {
        o.onlyFor("cancel", Options.TARGET_OPTIONS);
        if (o.positional.size() < 2 || o.positional.size() > 3) {
            throw new Target.Failure("cancel needs a target and a path: canopy cancel <target> <path> [reason]", 2);
        }
        String spec = o.positional.get(0);
        String path = o.positional.get(1);
        String reason = o.positional.size() == 3 ? o.positional.get(2) : "cancelled from the canopy command line";
        out.println(calls.call(spec, "; whether it cancelled anything is not known",
                () -> cancelAt(spec, path, reason, o)));
        return 0;
    }

    /** Cancels the contexts at {@code path} in the target; returns what the target said. */
    private String cancelAt(String spec, String path, String reason, Options o) throws Exception {
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
            return result;
        }
    }

    // ------------------------------------------------------------------ jfr

    private int jfr(Options o) throws Exception {
        o.onlyFor("jfr", List.of(), "--at", "--path", "-o", "--output");
        if (o.positional.size() != 2) {
            throw new Target.Failure("usage: canopy jfr tree|timeline|chrome <file.jfr> (see canopy jfr --help)", 2);
        }
        String what = o.positional.get(0);
        Path file = Path.of(o.positional.get(1));
        if (o.at != null && !what.equals("tree")) {
            throw new Target.Failure("--at goes with jfr tree only", 2);
        }
        o.onlyWith("--path", what.equals("timeline"), "goes with jfr timeline only");
        o.onlyWith("-o", what.equals("chrome"), "goes with jfr chrome only");
        o.onlyWith("--output", what.equals("chrome"), "goes with jfr chrome only");
        ContextRecording rec;
        try {
            rec = ContextRecording.read(file);
        } catch (NoSuchFileException e) {
            throw new Target.Failure("no such file: " + file, 1);
        } catch (IOException e) {
            throw new Target.Failure(e.getMessage(), 1);
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
                    // a reason or message may hold escape codes or line breaks: shown escaped, one entry a line
                    out.printf("%s %-9s %-45s %8s  %s%n", time.format(t.time()), t.kind(),
                            Names.escapeControls(t.path()), t.duration().isZero() ? "" : human(t.duration()),
                            Names.escapeControls(t.detail()));
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

            <target> is a pid (same user; attaches and starts the JVM's local management agent, which
            stays running in it), host:port of a remote JMX agent, or a service:jmx: URL. Remote options:
            --user NAME --password-file FILE, --ssl (with the JDK's javax.net.ssl.* properties).
            --timeout 10s: how long a target may take to answer, so a stopped JVM fails the command.
            canopy <command> --help shows a command's options. Exit codes: 0 ok, 1 failed, 2 usage, 3 refused.
            """;

    /** The options of every command that reads a target, as its help lists them. */
    private static final String TARGET_HELP = """
              --timeout 10s     how long the target may take to answer
              --user U --password-file F --ssl    for remote targets; --domain D for another tree's registry
            """;

    static String help(String command) {
        return switch (command) {
            case "list" -> "usage: canopy list [--timeout 10s]\n  Lists local JVMs (like jps); CANOPY is yes when Canopy "
                    + "is loaded, ? when it cannot attach or the JVM does not answer within the timeout.\n";
            case "status" -> """
                    usage: canopy status <target>[,<target>…] [options]
                      --json            print the status JSON (schema canopy.status/1); for several targets
                                        a line each: {"target": "<target>", "status": {…}}
                      -w, --watch       redraw every interval, until Ctrl-C (--json: a line when the tree changes)
                      --interval 1s     how often watch mode reads the target
                      --updates N       stop after N screens (--json: N lines)
                      --path PREFIX     only this branch, e.g. global.remote-access
                      --expand          draw every sibling, collapsing none
                      --no-color        plain text even on a terminal
                      --domain D        the tree registered in JMX domain D (default dev.canopy), e.g. the
                                        OpenTelemetry agent extension's dev.canopy.otel
                      --user U --password-file F --ssl    for remote targets
                      --timeout 10s     how long a target may take to answer
                    Several targets: each is shown; one that fails is reported and the exit code is non-zero
                    (watch mode stops at the first failure).
                    """;
            case "deadlocks" -> "usage: canopy deadlocks <target> [--timeout 10s]\n  Prints each deadlock cycle as one line, "
                    + "or \"no deadlocks\".\n" + TARGET_HELP;
            case "cancel" -> "usage: canopy cancel <target> <path> [reason] [--timeout 10s]\n  Cancels every live context "
                    + "at the dotted path and its subtree. Exit 3 when the target's JMX is read-only.\n" + TARGET_HELP;
            case "record" -> """
                    usage: canopy record <target> [--duration 30s] [-o file.jfr] [--timeout 10s]
                      Starts a JFR recording in the target over JMX with the canopy.jfc template packaged in this
                      jar (no file needed on the target), stops it after the duration and saves it locally.
                      Stopped early (Ctrl-C) or failing, it closes the target's recording and saves nothing.
                      Exit 3 when the user's JMX role may only read.
                    """ + TARGET_HELP;
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
