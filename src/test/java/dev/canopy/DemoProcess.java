package dev.canopy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The demo running in a JVM of its own, as a user would start it; tests look at it from outside. */
final class DemoProcess implements AutoCloseable {
    final Process process;
    final long pid;

    private DemoProcess(Process process, long pid) {
        this.process = process;
        this.pid = pid;
    }

    static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    static Path tool(String name) {
        return javaHome().resolve("bin").resolve(name);
    }

    /** Starts the demo with extra JVM options; returns once it has printed its pid. */
    static DemoProcess start(String... jvmOptions) throws Exception {
        return startMain("dev.canopy.demo.Demo", List.of("--duration", "180s", "--quiet"), jvmOptions);
    }

    /** Starts a main class that prints "... running as pid N"; returns once it has. */
    static DemoProcess startMain(String mainClass, List<String> args, String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(tool("java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Long> pid = CompletableFuture.supplyAsync(() -> {
            try {
                StringBuilder seen = new StringBuilder();
                for (String line; (line = out.readLine()) != null; ) {
                    int at = line.indexOf("running as pid ");
                    if (at >= 0) {
                        return Long.parseLong(line.substring(at + "running as pid ".length()).split(" ")[0]);
                    }
                    seen.append(line).append('\n');
                }
                throw new IllegalStateException(mainClass + " exited before printing its pid:\n" + seen);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        long id = pid.get(60, TimeUnit.SECONDS);
        // keep draining its output so it never blocks on a full pipe
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // discard
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "demo-output");
        drain.setDaemon(true);
        drain.start();
        return new DemoProcess(p, id);
    }

    /** Runs a JDK tool and returns its output; fails with the output when it exits non-zero. */
    static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        String text = output.get(10, TimeUnit.SECONDS);
        if (p.exitValue() != 0) {
            throw new AssertionError(command + " exited " + p.exitValue() + ":\n" + text);
        }
        return text;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
    }
}
