package dev.canopy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.jfr.JfrTemplates;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** How the Chrome trace lays out trees that are awkward for a track model, recorded in this JVM. */
class ChromeTraceLayoutTest {
    private static final ObjectMapper EXACT = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    @TempDir
    Path dir;

    @Test
    void sequentialSiblingsShareATrackAndConcurrentOnesGetTheirOwn() throws Exception {
        RecordingStoryTest.Trace trace = record("lanes", root -> {
            for (int i = 0; i < 3; i++) {
                root.child("one-at-a-time").open().close();
            }
            Context a = root.child("together").open();
            Context b = root.child("together").open();
            b.close();
            a.close();
        });
        assertEquals(3, trace.contextsAt("lanes.one-at-a-time").size());
        assertEquals(1, trace.contextsAt("lanes.one-at-a-time").stream().map(RecordingStoryTest.Slice::tid)
                .distinct().count(), "three in a row, one track");
        assertEquals(2, trace.contextsAt("lanes.together").stream().map(RecordingStoryTest.Slice::tid)
                .distinct().count(), "two at once, two tracks");
        assertTrue(trace.trackNames.containsValue("lanes.together (2)"), trace.trackNames.toString());
        // tracks come in tree order: the root's first, its children's after
        int rootTrack = trace.contextsAt("lanes").get(0).tid();
        assertTrue(trace.contextsAt("lanes.together").stream().allMatch(s -> s.tid() > rootTrack));
    }

    @Test
    void aParentThatEndsBeforeItsChildCoversItUntilTheChildEnds() throws Exception {
        RecordingStoryTest.Trace trace = record("outlived", root -> {
            Context parent = root.child("parent").open();
            Context child = parent.child("child").open();
            parent.close(); // cancels the child, which stays open until closed: the parent stays in the tree
            child.close();
        });
        RecordingStoryTest.Slice parent = trace.contextsAt("outlived.parent").get(0);
        RecordingStoryTest.Slice child = trace.contextsAt("outlived.parent.child").get(0);
        assertEquals(child.until(), parent.until());
        assertTrue(parent.args().get("ended").asText().endsWith("then stayed in the tree until its children ended"),
                parent.args().toString());
        assertEquals("cancelled", child.args().get("outcome").asText());
    }

    @Test
    void locksOfOneContextThatOverlapWithoutNestingGoToATrackBelow() throws Exception {
        RecordingStoryTest.Trace trace = record("overlap", root -> {
            Context ctx = root.child("worker").open();
            NamedLock first = ctx.mutex("first");
            NamedLock second = ctx.mutex("second");
            CountDownLatch firstHeld = new CountDownLatch(1);
            CountDownLatch secondHeld = new CountDownLatch(1);
            CountDownLatch firstReleased = new CountDownLatch(1);
            // first: [--------]
            // second:     [--------]   one context, two threads: the holds overlap without nesting
            Thread other = new Thread(() -> {
                try (Scope s = ctx.makeCurrent()) {
                    await(firstHeld);
                    try (Held h = second.acquire()) {
                        secondHeld.countDown();
                        await(firstReleased);
                    }
                }
            });
            other.start();
            try (Scope s = ctx.makeCurrent()) {
                try (Held h = first.acquire()) {
                    firstHeld.countDown();
                    await(secondHeld);
                }
                firstReleased.countDown();
            }
            other.join(30_000);
            ctx.close();
        });
        List<String> holdTracks = new ArrayList<>();
        for (RecordingStoryTest.Slice s : trace.slices) {
            if (s.category().equals("lock-hold")) {
                holdTracks.add(trace.trackNames.get(s.tid()));
            }
        }
        assertEquals(List.of("overlap.worker", "overlap.worker · locks"), holdTracks);
    }

    @Test
    void aSemaphoreWaiterGetsOneArrowFromThePermitThatLetItIn() throws Exception {
        RecordingStoryTest.Trace trace = record("pool", root -> {
            NamedSemaphore pool = root.semaphore("connections", 2);
            Context first = root.child("first").open();
            Context second = root.child("second").open();
            Context waiter = root.child("waiter").open();
            try (Scope s = first.makeCurrent()) {
                pool.acquire();
            }
            try (Scope s = second.makeCurrent()) {
                pool.acquire();
            }
            Thread waiting = new Thread(() -> {
                try (Scope s = waiter.makeCurrent(); Held h = pool.permit()) {
                    // got in once the second gave its permit back
                }
            });
            waiting.start();
            TestTrees.awaitTrue("the waiter waits", () -> !waiter.awaitedLocks().isEmpty());
            try (Scope s = second.makeCurrent()) {
                pool.release();
            }
            waiting.join(30_000);
            try (Scope s = first.makeCurrent()) {
                pool.release();
            }
            for (Context c : List.of(first, second, waiter)) {
                c.close();
            }
        });
        assertEquals(1, trace.flows.size(), "both holders blocked it; one release let it in");
        RecordingStoryTest.Flow flow = trace.flows.get(0);
        assertEquals("pool.second", trace.trackNames.get(flow.from().tid()));
        assertEquals("pool.waiter", trace.trackNames.get(flow.to().tid()));
    }

    @Test
    void aTreeThousandsOfLevelsDeepExports() throws Exception {
        RecordingStoryTest.Trace trace = record("deep", 5_000, root -> {
            List<Context> chain = new ArrayList<>();
            Context c = root;
            for (int i = 0; i < 2_000; i++) {
                c = c.child("l").open(); // a short name: every path repeats its ancestors' names
                chain.add(c);
            }
            for (int i = chain.size() - 1; i >= 0; i--) {
                chain.get(i).close();
            }
        });
        List<RecordingStoryTest.Slice> levels = trace.slices.stream()
                .filter(s -> s.category().equals("context") && s.args().get("path").asText().startsWith("deep.l"))
                .toList();
        assertEquals(2_000, levels.size());
        assertEquals(2_000, levels.stream().map(RecordingStoryTest.Slice::tid).distinct().count());
    }

    interface Script {
        void run(Context root) throws Exception;
    }

    private RecordingStoryTest.Trace record(String rootName, Script script) throws Exception {
        return record(rootName, 1_000, script);
    }

    /** Records the script on a tree of its own with every event kept, exports it through the CLI, checks the JSON. */
    private RecordingStoryTest.Trace record(String rootName, int maxDepth, Script script) throws Exception {
        Path file = dir.resolve(rootName + ".jfr");
        Path json = dir.resolve(rootName + ".json");
        try (ContextTree tree = ContextTree.builder().rootName(rootName).maxDepth(maxDepth).build();
             Recording r = new Recording(JfrTemplates.debugConfiguration())) {
            r.start();
            script.run(tree.root());
            r.stop();
            r.dump(file);
        }
        CliTest.Result export = CliTest.cli("jfr", "chrome", file.toString(), "-o",
                json.toString());
        assertEquals(0, export.exit(), export.err());
        return RecordingStoryTest.Trace.checked(EXACT.readTree(json.toFile()));
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
