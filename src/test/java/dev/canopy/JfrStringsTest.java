package dev.canopy;

import dev.canopy.jfr.ContextRecording;
import dev.canopy.jfr.EventNames;
import dev.canopy.jfr.JfrTemplates;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Recordings started and stopped by threads new to JFR, as over JMX ({@code canopy record}, JDK Mission Control,
 * where each call may come on a new RMI thread): what Canopy announces at the recording's start and end keeps its
 * strings. JDK 17 to 20 could write such a thread's strings as ids the recording never defines.
 */
class JfrStringsTest {
    @TempDir
    Path dir;

    private static void onNewThread(Runnable action) throws InterruptedException {
        Thread t = new Thread(action, "new-to-jfr");
        t.start();
        t.join();
    }

    @Test
    void recordingsStartedAndStoppedByNewThreadsKeepEveryPathAndLockName() throws Exception {
        ContextTree tree = ContextTree.builder().rootName("strings-kept").build();
        Context holder = tree.root().child("holder-with-a-long-name").open();
        String path = "strings-kept.holder-with-a-long-name"; // over 16 characters: pooled, not written inline
        NamedLock lock = holder.mutex("lock-with-a-long-name");
        try (Scope s = holder.makeCurrent()) {
            lock.lock();
        }
        try {
            for (int n = 1; n <= 3; n++) { // the second and later recordings are the ones that lost them
                Path file = dir.resolve("recording-" + n + ".jfr");
                try (Recording r = new Recording(JfrTemplates.debugConfiguration())) {
                    onNewThread(r::start);
                    onNewThread(r::stop);
                    r.dump(file);
                }
                List<RecordedEvent> events = RecordingFile.readAllEvents(file);
                List<RecordedEvent> announced = events.stream()
                        .filter(e -> e.getEventType().getName().equals(EventNames.CONTEXT_START))
                        .filter(e -> e.getLong("contextId") == holder.id()).toList();
                assertFalse(announced.isEmpty(), "recording " + n + " announces the context that existed");
                for (RecordedEvent e : announced) {
                    assertEquals(path, e.getString("path"), "recording " + n + ": " + e);
                }
                List<RecordedEvent> held = events.stream()
                        .filter(e -> e.getEventType().getName().equals(EventNames.LOCK_HOLD_IN_PROGRESS))
                        .filter(e -> e.getLong("contextId") == holder.id()).toList();
                assertFalse(held.isEmpty(), "recording " + n + " sees the hold in progress");
                for (RecordedEvent e : held) {
                    assertEquals("lock-with-a-long-name", e.getString("lockName"), "recording " + n + ": " + e);
                    assertEquals(path, e.getString("path"), "recording " + n + ": " + e);
                }
                assertTrue(ContextRecording.read(file).renderTree().contains("holder-with-a-long-name #"),
                        "recording " + n + " draws the context by name");
            }
        } finally {
            lock.unlock();
            tree.close();
        }
    }
}
