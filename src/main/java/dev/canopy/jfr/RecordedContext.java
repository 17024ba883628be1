package dev.canopy.jfr;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A context as a recording saw it: from its {@code dev.canopy.ContextStart} and {@code dev.canopy.ContextEnd}
 * events. Fields the recording did not capture are {@code null} (a context still running when it stopped has no
 * end; one created before it started has only an {@code existing} start).
 */
public final class RecordedContext {
    private final long id;
    private final long parentId;
    /** Either may be repaired from the other and the parent's (see {@link ContextRecording}'s reading). */
    String name;
    String path;
    private final Instant start;
    private final boolean existedBefore;
    private final String thread;
    Instant end;
    Duration lifetime;
    String outcome;
    String message;
    String exceptionClass;
    String endThread;
    Instant leakedAt;
    Instant seenFrom;
    Instant seenUntil;
    boolean presentAtRecordingEnd;
    final List<RecordedContext> children = new ArrayList<>();

    RecordedContext(long id, long parentId, String name, String path, Instant start, boolean existedBefore,
                    String thread) {
        this.id = id;
        this.parentId = parentId;
        this.name = name;
        this.path = path;
        this.start = start;
        this.existedBefore = existedBefore;
        this.thread = thread;
    }

    public long id() {
        return id;
    }

    /** 0 for a root. */
    public long parentId() {
        return parentId;
    }

    public String name() {
        return name;
    }

    public String path() {
        return path;
    }

    /**
     * When its start event was recorded: its creation, or, for a context that existed before the recording, the
     * moment the recording announced it (just after the recording began).
     */
    public Instant start() {
        return start;
    }

    /** When it was created, if the recording can tell: it was created during the recording, or it ended in it. */
    public Instant created() {
        if (!existedBefore) {
            return start;
        }
        return end != null && lifetime != null ? end.minus(lifetime) : null;
    }

    /**
     * The start of the part of its life the recording saw: its creation, or the recording's start for a context
     * created before it.
     */
    public Instant seenFrom() {
        return seenFrom;
    }

    /**
     * The end of the part of its life the recording saw: when it left the tree. That is its end (or its collection,
     * for a leaked one), or the end of its last descendant when they outlived it (an ended context stays in the tree
     * until its children have ended), or the recording's end when it was still there.
     */
    public Instant seenUntil() {
        return seenUntil;
    }

    /** Whether it was in the tree at {@code t}: from {@link #seenFrom()} up to {@link #seenUntil()}. */
    public boolean inTreeAt(Instant t) {
        if (t.isBefore(seenFrom)) {
            return false;
        }
        // one still there when the recording stopped is shown at its very last instant too
        return t.isBefore(seenUntil) || (t.equals(seenUntil) && presentAtRecordingEnd);
    }

    /** Whether the context was created before the recording started. */
    public boolean existedBefore() {
        return existedBefore;
    }

    /**
     * The thread that created it; for one created before the recording, the thread that announced it: the one that
     * started the recording (on JDK 17 to 20, Canopy's {@code canopy-jfr-emitter}).
     */
    public String thread() {
        return thread;
    }

    /** When it ended, or null if it was still running when the recording stopped. */
    public Instant end() {
        return end;
    }

    /** Its whole lifetime, or null if it had not ended. */
    public Duration lifetime() {
        return lifetime;
    }

    /** completed, failed or cancelled; null if it had not ended. */
    public String outcome() {
        return outcome;
    }

    /**
     * When it was garbage-collected without being closed, if the recording saw that ({@code dev.canopy.ContextLeak}):
     * it left the tree then, without ever ending. Null otherwise.
     */
    public Instant leakedAt() {
        return leakedAt;
    }

    /** The cancel reason or failure message, if any. */
    public String message() {
        return message;
    }

    public String exceptionClass() {
        return exceptionClass;
    }

    /** The thread it ended on: for a task, the one that ran it. */
    public String endThread() {
        return endThread;
    }

    public List<RecordedContext> children() {
        return Collections.unmodifiableList(children);
    }

    @Override
    public String toString() {
        return path + " #" + id + (outcome == null ? " (running)" : " (" + outcome + ")");
    }
}
