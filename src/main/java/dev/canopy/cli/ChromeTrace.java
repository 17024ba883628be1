package dev.canopy.cli;

import dev.canopy.jfr.EventNames;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.canopy.jfr.ContextRecording;
import dev.canopy.jfr.RecordedContext;
import jdk.jfr.consumer.RecordedEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A recording as Chrome trace-event JSON ({@code {"traceEvents": [...]}}), which Perfetto and chrome://tracing open:
 * each context a complete ("X") event on the thread it ended on, each lock wait and hold one on its thread.
 */
final class ChromeTrace {
    private ChromeTrace() {
    }

    static String of(ContextRecording rec) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        ArrayNode events = root.putArray("traceEvents");
        Instant origin = rec.firstEvent().orElse(Instant.EPOCH);
        Map<String, Integer> threads = new HashMap<>();
        for (RecordedContext c : rec.contexts()) {
            Instant start = c.start();
            Instant end = c.end() != null ? c.end() : start;
            ObjectNode e = events.addObject();
            e.put("name", c.name());
            e.put("cat", "context");
            e.put("ph", "X");
            e.put("ts", micros(origin, start));
            e.put("dur", Math.max(0, Duration.between(start, end).toNanos() / 1000.0));
            e.put("pid", 1);
            e.put("tid", tid(threads, c.endThread() != null ? c.endThread() : c.thread()));
            ObjectNode args = e.putObject("args");
            args.put("path", c.path());
            args.put("id", c.id());
            args.put("outcome", c.outcome());
            if (c.message() != null) {
                args.put("message", c.message());
            }
        }
        for (RecordedEvent l : rec.lockEvents()) {
            ObjectNode e = events.addObject();
            boolean wait = l.getEventType().getName().equals(EventNames.LOCK_WAIT);
            e.put("name", (wait ? "wait " : "hold ") + l.getString("lockName"));
            e.put("cat", wait ? "lock-wait" : "lock-hold");
            e.put("ph", "X");
            e.put("ts", micros(origin, l.getStartTime()));
            e.put("dur", l.getDuration().toNanos() / 1000.0);
            e.put("pid", 1);
            String thread = l.getThread() == null ? "unknown"
                    : l.getThread().getJavaName() + "#" + l.getThread().getJavaThreadId();
            e.put("tid", tid(threads, thread));
            ObjectNode args = e.putObject("args");
            args.put("path", l.getString("path"));
            args.put("mode", l.getString("mode"));
        }
        threads.forEach((name, id) -> {
            ObjectNode m = events.addObject();
            m.put("name", "thread_name");
            m.put("ph", "M");
            m.put("pid", 1);
            m.put("tid", id);
            m.putObject("args").put("name", name);
        });
        root.put("displayTimeUnit", "ms");
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static double micros(Instant origin, Instant t) {
        return Duration.between(origin, t).toNanos() / 1000.0;
    }

    private static int tid(Map<String, Integer> threads, String name) {
        return threads.computeIfAbsent(name == null ? "unknown" : name, k -> threads.size() + 1);
    }
}
