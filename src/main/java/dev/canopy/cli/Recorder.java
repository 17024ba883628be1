package dev.canopy.cli;

import dev.canopy.jfr.JfrTemplates;
import jdk.management.jfr.FlightRecorderMXBean;

import javax.management.InstanceNotFoundException;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code canopy record}: a JFR recording made in the target over JMX with the packaged template, saved here.
 *
 * <p>Nothing is left behind when the command fails or is stopped (Ctrl-C): the recording in the target is closed
 * and the partly written file removed. The file is written as {@code <file>.part} and renamed when complete, and
 * that part file is made before recording starts, so a place that cannot be written to fails at once rather than
 * after the whole duration.
 */
final class Recorder {
    private static final String FLIGHT_RECORDER = "jdk.management.jfr:type=FlightRecorder";
    /** How long the clean-up on Ctrl-C waits for the target: the process is on its way out. */
    private static final Duration CLEAN_UP = Duration.ofSeconds(5);

    private final PrintStream out;
    private final PrintStream err;
    private final TargetCalls calls;

    Recorder(PrintStream out, PrintStream err, TargetCalls calls) {
        this.out = out;
        this.err = err;
        this.calls = calls;
    }

    int record(Options o) throws Exception {
        o.onlyFor("record", Options.TARGET_OPTIONS, "--duration", "-o", "--output");
        if (o.positional.size() != 1) {
            throw new Target.Failure("record needs one target: canopy record <pid> [--duration 30s] [-o file.jfr]", 2);
        }
        String spec = o.positional.get(0);
        Path file = Path.of(o.output != null ? o.output
                : "canopy-" + spec.replaceAll("[^A-Za-z0-9]", "_") + "-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()) + ".jfr");
        if (Files.isDirectory(file)) {
            throw new Target.Failure("cannot write the recording to " + file + ": it is a directory", 2);
        }
        Path part = file.resolveSibling(file.getFileName() + ".part");
        OutputStream written;
        try {
            written = Files.newOutputStream(part);
        } catch (IOException e) {
            throw new Target.Failure("cannot write the recording to " + file + ": " + Target.why(e), 1);
        }
        // from here on, Ctrl-C (which runs the shutdown hooks, not this method's finally blocks) cleans up too
        Interrupted onInterrupt = cleanUpFor(spec, part);
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try (written) {
            JMXConnector c = calls.call(spec, () -> new Target(spec).connect(o));
            try {
                long bytes = record(spec, Target.connection(c, spec), o.duration, written, onInterrupt);
                written.close();
                onInterrupt.save(part, file);
                out.println("recorded " + String.format("%,d", bytes) + " bytes to " + file);
                return 0;
            } finally {
                calls.closeQuietly(spec, c);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it closes the recording and removes the part itself
            }
            Files.deleteIfExists(part);
        }
    }

    /** Records for {@code duration} and writes the recording to {@code written}; returns its size. */
    private long record(String spec, MBeanServerConnection conn, Duration duration, OutputStream written,
                        Interrupted onInterrupt) throws Exception {
        FlightRecorderMXBean jfr = calls.call(spec, () -> flightRecorder(spec, conn));
        if (!calls.call(spec, () -> hasCanopy(conn))) {
            err.println("note: " + spec + " has not loaded Canopy: the recording holds the JDK's events only");
        }
        long id;
        try {
            id = calls.call(spec, jfr::newRecording);
        } catch (SecurityException e) {
            throw new Target.Failure(spec + ": the JMX agent refused to start a recording for this user (a role "
                    + "that may only read)", 3);
        }
        onInterrupt.recording(jfr, id);
        try {
            calls.call(spec, () -> {
                // the template travels over JMX: nothing has to exist on the target's disk
                jfr.setConfiguration(id, JfrTemplates.canopy());
                // the target stops by itself even if this command is killed before it can close the recording
                jfr.setRecordingOptions(id, Map.of("name", "canopy-cli",
                        "duration", (duration.toSeconds() + 60) + " s", "maxSize", String.valueOf(256L << 20)));
                jfr.startRecording(id);
                return null;
            });
            err.println("recording " + spec + " for " + CanopyCli.human(duration) + " …");
            TimeUnit.NANOSECONDS.sleep(duration.toNanos());
            calls.call(spec, () -> jfr.stopRecording(id));
            long stream = calls.call(spec, () -> jfr.openStream(id, Map.of()));
            long bytes = 0;
            for (byte[] chunk; (chunk = calls.call(spec, () -> jfr.readStream(stream))) != null; ) {
                try {
                    written.write(chunk);
                } catch (IOException e) {
                    throw new Target.Failure("cannot write the recording: " + Target.why(e), 1);
                }
                bytes += chunk.length;
            }
            calls.call(spec, () -> {
                jfr.closeStream(stream); // on a failure above, the target drops the stream after a while of disuse
                return null;
            });
            return bytes;
        } finally {
            String failure = closeRecording(spec, jfr, id, calls.timeout());
            if (failure == null) {
                onInterrupt.recordingClosed();
            } else if (!exited(spec)) { // a JVM that exited took its recording along: nothing is left to stop
                err.println("canopy: could not close the recording in " + spec + " (it stops by itself "
                        + CanopyCli.human(duration.plusSeconds(60)) + " after it started): " + failure);
            }
        }
    }

    /** Whether {@code spec} is a local JVM's pid and that process has exited. */
    private static boolean exited(String spec) {
        if (spec.isEmpty() || !spec.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        try {
            return ProcessHandle.of(Long.parseLong(spec)).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException tooLong) {
            return false;
        }
    }

    /**
     * Closes the target's recording, waiting at most {@code timeout}, on a thread of its own: also for a target that
     * did not answer before, which may have been paused only for a while. Returns why it could not, or null.
     */
    private static String closeRecording(String spec, FlightRecorderMXBean jfr, long id, Duration timeout) {
        try (TargetCalls closing = new TargetCalls(timeout)) {
            closing.call(spec, () -> {
                jfr.closeRecording(id);
                return null;
            });
            return null;
        } catch (Target.Failure f) {
            return f.getMessage();
        } catch (Exception e) {
            return CanopyCli.oneLine(e);
        }
    }

    /**
     * The clean-up when the process ends mid-recording (Ctrl-C): the target's recording closed, the part removed,
     * and one line saying what became of the recording, true to the moment it was stopped at.
     */
    final class Interrupted extends Thread {
        private final String spec;
        private final Path part;
        private volatile FlightRecorderMXBean jfr;
        private volatile long id;
        /** The command closed the target's recording itself: nothing is left to close there. */
        private volatile boolean recordingClosed;
        /** Guards {@link #saved}, so that saving and cleaning up never overlap (not the thread's own monitor). */
        private final Object saving = new Object();
        /** Where the recording was saved. */
        private Path saved;
        /** The clean-up ran first: the part is gone, and the recording is not to be saved. */
        private boolean cleanedUp;

        Interrupted(String spec, Path part) {
            super("canopy-record-clean-up");
            this.spec = spec;
            this.part = part;
        }

        void recording(FlightRecorderMXBean jfr, long id) {
            this.id = id;
            this.jfr = jfr;
        }

        void recordingClosed() {
            recordingClosed = true;
        }

        /** Moves the complete part into place, unless the clean-up has begun (then the part is gone). */
        void save(Path part, Path file) throws Target.Failure {
            synchronized (saving) {
                if (cleanedUp) {
                    throw new Target.Failure("stopped before the recording was saved", 1);
                }
                moveInPlace(part, file);
                saved = file;
            }
        }

        @Override
        public void run() {
            synchronized (saving) {
                if (saved != null) {
                    err.println("canopy: stopped; the recording was saved to " + saved);
                } else {
                    cleanedUp = true;
                    cleanUp();
                }
            }
        }

        private void cleanUp() {
            FlightRecorderMXBean recorder = jfr;
            if (recorder == null) {
                err.println("canopy: stopped before recording; saved nothing");
            } else if (recordingClosed) {
                err.println("canopy: stopped; the recording in " + spec + " was closed, saved nothing");
            } else {
                String failure = closeRecording(spec, recorder, id, CLEAN_UP);
                err.println(failure == null ? "canopy: stopped; closed the recording in " + spec + ", saved nothing"
                        : "canopy: stopped; could not close the recording in " + spec + " (it stops by itself): "
                        + failure);
            }
            try {
                Files.deleteIfExists(part);
            } catch (IOException e) {
                err.println("canopy: could not remove " + part + ": " + Target.why(e));
            }
        }
    }

    /** The clean-up {@link #record(Options)} installs for a recording of {@code spec} written to {@code part}. */
    Interrupted cleanUpFor(String spec, Path part) {
        return new Interrupted(spec, part);
    }

    /** Whether Canopy is loaded in the target: its first tree sets a system property (as {@code list} reads it). */
    private static boolean hasCanopy(MBeanServerConnection conn) throws IOException {
        return java.lang.management.ManagementFactory.newPlatformMXBeanProxy(conn,
                java.lang.management.ManagementFactory.RUNTIME_MXBEAN_NAME, java.lang.management.RuntimeMXBean.class)
                .getSystemProperties().containsKey("dev.canopy.version");
    }

    private FlightRecorderMXBean flightRecorder(String spec, MBeanServerConnection conn) throws Exception {
        FlightRecorderMXBean jfr = JMX.newMXBeanProxy(conn, new ObjectName(FLIGHT_RECORDER),
                FlightRecorderMXBean.class);
        try {
            jfr.getRecordings();
        } catch (UndeclaredThrowableException e) {
            if (e.getCause() instanceof InstanceNotFoundException) {
                throw new Target.Failure(spec + " has no flight recorder over JMX (" + FLIGHT_RECORDER + ")", 1);
            }
            throw new Target.Failure(spec + ": " + CanopyCli.oneLine(e), 1);
        }
        return jfr;
    }

    private static void moveInPlace(Path part, Path file) throws Target.Failure {
        try {
            try {
                Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new Target.Failure("cannot write the recording to " + file + ": " + Target.why(e), 1);
        }
    }
}
