package dev.canopy.jmx;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A main class in a JVM of its own, spoken to line by line: commands on its standard input, answers awaited on its
 * output (standard error merged in, so a failure shows up in the assertion message).
 */
final class ChildJvm implements AutoCloseable {
    private static final String END = "\u0000end of output";

    private final Process process;
    private final Writer in;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer log = new StringBuffer();

    private ChildJvm(Process process) {
        this.process = process;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                    log.append(line.length() > 300 ? line.substring(0, 300) + "…" : line).append('\n');
                }
            } catch (IOException ignored) {
                // the process ended
            } finally {
                lines.add(END);
            }
        }, "child-jvm-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code mainClass} on this JVM's class path, with this JVM's java, and waits for its first line. */
    static ChildJvm start(String mainClass, List<String> jvmOptions, String firstLinePrefix) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        ChildJvm jvm = new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
        try {
            jvm.await(firstLinePrefix, Duration.ofSeconds(60));
        } catch (AssertionError | RuntimeException e) {
            jvm.close();
            throw e;
        }
        return jvm;
    }

    void send(String command) throws IOException {
        in.write(command + "\n");
        in.flush();
    }

    /** The next line that starts with {@code prefix}; fails at the timeout or when the process ends first. */
    String await(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no line starting with \"" + prefix + "\" within " + timeout
                        + "; output so far:\n" + log);
            }
            if (line.equals(END)) {
                lines.add(END);
                throw new AssertionError("the process ended before a line starting with \"" + prefix
                        + "\"; its output:\n" + log);
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    String output() {
        return log.toString();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
