package dev.canopy.jfr;

import java.time.Duration;
import java.time.Instant;

/**
 * One thing that happened to a context in a recording.
 *
 * @param kind     {@code START}, {@code END}, {@code CANCEL}, {@code LOCK_WAIT}, {@code LOCK_HOLD}, {@code LEAK}, {@code DEADLOCK} or {@code WARNING} (one in effect at a chunk boundary)
 * @param duration the event's duration (lifetime for END, wait or hold time for locks); zero for instants
 * @param detail   a human description: outcome, cancel reason, lock name and mode
 */
public record TimelineEntry(Instant time, Duration duration, String kind, long contextId, String path,
                            String thread, String detail) {
}
