package dev.canopy.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.MetadataDefinition;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.Registered;
import jdk.jfr.Relational;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;
import jdk.jfr.Timestamp;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Canopy's JFR event types. Names are public API (settings files and parsers depend on them). Every type is
 * {@code @Registered(false)}: {@link JfrListener} registers them only once a flight recorder exists, so a JVM that never
 * records pays nothing but a disabled-check.
 */
final class JfrEvents {
    private JfrEvents() {
    }

    /** Links events about the same context, and a context to its parent, so a recording alone rebuilds the tree. */
    @MetadataDefinition
    @Relational
    @Name(EventNames.CONTEXT_ID)
    @Label("Context Id")
    @Description("Identifies a Canopy context; unique within the JVM")
    @Target(ElementType.FIELD)
    @Retention(RetentionPolicy.RUNTIME)
    @interface ContextId {
    }

    @Category({"Canopy", "Contexts"})
    @StackTrace(false)
    @Registered(false)
    abstract static class ContextEvent extends Event {
    }

    @Category({"Canopy", "Locks"})
    @StackTrace(false)
    @Registered(false)
    abstract static class LockEvent extends Event {
    }

    /**
     * Off where no Canopy template says otherwise (the JDK's {@code default} and {@code profile} settings, which do
     * not name Canopy's events): one event per context would outweigh everything else those settings record, as the
     * JDK keeps {@code jdk.VirtualThreadStart} off there. {@code canopy.jfc} turns it on.
     */
    @Name(EventNames.CONTEXT_START)
    @Label("Context Start")
    @Description("A context was created, or already existed when the recording started")
    @Enabled(false)
    static final class ContextStart extends ContextEvent {
        @ContextId
        @Label("Context Id")
        long contextId;
        @ContextId
        @Label("Parent Id")
        @Description("0 for a root")
        long parentId;
        @Label("Name")
        String name;
        @Label("Path")
        String path;
        @Label("Existing")
        @Description("True when the context was created before the recording started")
        boolean existing;
    }

    /**
     * Where no Canopy template says otherwise, only contexts that lived 20 ms or more: the slow requests, and the
     * long-lived contexts when they end, at the threshold the JDK's {@code default} settings give its own per-operation
     * events ({@code jdk.SocketRead}, {@code jdk.JavaMonitorEnter}). {@code canopy.jfc} records every one.
     */
    @Name(EventNames.CONTEXT_END)
    @Label("Context End")
    @Description("A context ended; the event spans its lifetime (or the part of it the recording saw)")
    @Threshold("20 ms")
    static final class ContextEnd extends ContextEvent {
        @ContextId
        @Label("Context Id")
        long contextId;
        @ContextId
        @Label("Parent Id")
        long parentId;
        @Label("Name")
        String name;
        @Label("Path")
        String path;
        @Label("Outcome")
        @Description("completed, failed or cancelled")
        String outcome;
        @Label("Message")
        @Description("The cancel reason or the failure's message")
        String message;
        @Label("Exception Class")
        String exceptionClass;
        @Label("Lifetime")
        @Description("The whole lifetime by the context's own clock (ticks of about a millisecond unless the "
                + "tree times contexts precisely), also when the recording started after the context; when "
                + "Existing is false the event's duration is the same lifetime, precisely")
        @Timespan(Timespan.NANOSECONDS)
        long lifetime;
        @Label("Existing")
        @Description("True when the context was created before the recording started: the event then spans only "
                + "the part of its lifetime the recording saw")
        boolean existing;
    }

    @Name(EventNames.CONTEXT_CANCEL)
    @Label("Context Cancel")
    @Description("A cancel reached a context and its subtree")
    static final class ContextCancel extends ContextEvent {
        @ContextId
        @Label("Context Id")
        long contextId;
        @Label("Path")
        String path;
        @Label("Reason")
        String reason;
        @Label("Initiator Path")
        @Description("The context cancel was called on")
        String initiatorPath;
        @Label("Subtree Size")
        @Description("Contexts newly cancelled by this cancel")
        int subtreeSize;
    }

    @Name(EventNames.LOCK_WAIT)
    @Label("Lock Wait")
    @Description("A context waited for a named lock")
    @Threshold("10 ms")
    static final class LockWait extends LockEvent {
        @Label("Lock Name")
        String lockName;
        @Label("Lock Kind")
        String lockKind;
        @Label("Mode")
        @Description("EXCLUSIVE, READ, WRITE or PERMIT")
        String mode;
        @Label("Permits")
        int permits;
        @ContextId
        @Label("Context Id")
        long contextId;
        @Label("Path")
        String path;
        @Label("Holders")
        @Description("Paths of the holders when the wait began")
        String holders;
        @Label("Acquired")
        @Description("False when the wait timed out or was cancelled")
        boolean acquired;
    }

    @Name(EventNames.LOCK_HOLD)
    @Label("Lock Hold")
    @Description("A context held a named lock")
    @Threshold("10 ms")
    static final class LockHold extends LockEvent {
        @Label("Lock Name")
        String lockName;
        @Label("Lock Kind")
        String lockKind;
        @Label("Mode")
        String mode;
        @ContextId
        @Label("Context Id")
        long contextId;
        @Label("Path")
        String path;
        /** The spare of the thread that made it, where it goes back after each hold (not recorded). */
        transient JfrListener.SpareHold spare;
    }

    /**
     * Holds in progress, emitted by {@link JfrListener#emitHoldsInProgress()} at every chunk boundary: with the
     * waits below, what a recording taken while a lock is stuck needs to say who holds it and who waits.
     */
    @Name(EventNames.LOCK_HOLD_IN_PROGRESS)
    @Label("Lock Hold in Progress")
    @Description("A context held a named lock when a chunk began or ended (recording start, stop or dump, chunk "
            + "rotation); Lock Hold is recorded only when a hold ends")
    @Period("everyChunk")
    static final class LockHoldInProgress extends LockEvent {
        @Label("Lock Name")
        String lockName;
        @Label("Lock Kind")
        String lockKind;
        @Label("Mode")
        String mode;
        @Label("Count")
        @Description("Reentrant holds, or permits of a semaphore")
        int count;
        @ContextId
        @Label("Context Id")
        long contextId;
        @Label("Path")
        String path;
        @Label("Holder Thread")
        @Description("The thread that acquired it, as name#id (the event's own thread is JFR's)")
        String holderThread;
        @Label("Since")
        @Description("When the hold began, by the tree's clock (ticks of about a millisecond)")
        @Timestamp(Timestamp.MILLISECONDS_SINCE_EPOCH)
        long since;
        @Label("Held For")
        @Timespan(Timespan.NANOSECONDS)
        long heldFor;
    }

    /** Waits in progress, emitted with the holds in progress. */
    @Name(EventNames.LOCK_WAIT_IN_PROGRESS)
    @Label("Lock Wait in Progress")
    @Description("A context waited for a named lock when a chunk began or ended (recording start, stop or dump, "
            + "chunk rotation); Lock Wait is recorded only when a wait ends")
    @Period("everyChunk")
    static final class LockWaitInProgress extends LockEvent {
        @Label("Lock Name")
        String lockName;
        @Label("Lock Kind")
        String lockKind;
        @Label("Mode")
        String mode;
        @Label("Permits")
        int permits;
        @ContextId
        @Label("Context Id")
        long contextId;
        @Label("Path")
        String path;
        @Label("Waiter Thread")
        @Description("The waiting thread, as name#id (the event's own thread is JFR's)")
        String waiterThread;
        @Label("Since")
        @Description("When the wait began, by the tree's clock (ticks of about a millisecond)")
        @Timestamp(Timestamp.MILLISECONDS_SINCE_EPOCH)
        long since;
        @Label("Waited For")
        @Timespan(Timespan.NANOSECONDS)
        long waitedFor;
        @Label("Holders")
        @Description("Paths of the holders at this moment")
        String holders;
    }

    @Name(EventNames.DEADLOCK)
    @Label("Deadlock")
    @Description("A cycle of waits that cannot resolve: among named locks when found, and any the JVM has (monitors, "
            + "JDK locks too) when a recording starts")
    static final class Deadlock extends LockEvent {
        @Label("Cycle")
        String cycle;
        @Label("Contexts")
        int contexts;
        @Label("Existing")
        @Description("True when the cycle was found before the recording started, and is still there")
        boolean existing;
        @Label("Source")
        @Description("CANOPY for named locks, JDK for monitors and JDK locks the JVM found")
        String source;
    }

    /** Emitted by {@link JfrListener#emitWarnings()} at every chunk boundary. */
    @Name(EventNames.WARNING)
    @Label("Warning")
    @Description("A warning in effect when a chunk began or ended (recording start, stop or dump, chunk rotation), "
            + "as status shows it")
    @Category({"Canopy", "Warnings"})
    @StackTrace(false)
    @Registered(false)
    @Period("everyChunk")
    static final class Warning extends Event {
        @Label("Severity")
        @Description("INFO, WARNING or CRITICAL")
        String severity;
        @Label("Kind")
        @Description("DEADLOCK, LONG_HELD, STUCK_WAITER, LEAKED, PAST_DEADLINE, CANCELLED_STILL_RUNNING, "
                + "LONG_OPERATION or IDLE")
        String kind;
        @Label("Message")
        String message;
        @Label("Path")
        @Description("The context concerned")
        String path;
        @Label("Lock Name")
        @Description("The lock concerned, if any")
        String lockName;
        @Label("Lasted")
        @Description("How long the situation had lasted")
        @Timespan(Timespan.NANOSECONDS)
        long lasted;
    }

    @Name(EventNames.CONTEXT_LEAK)
    @Label("Context Leak")
    @Description("A context opened and never closed was garbage-collected while still active")
    static final class ContextLeak extends ContextEvent {
        @ContextId
        @Label("Context Id")
        long contextId;
        @Label("Path")
        String path;
        @Label("Age")
        @Timespan(Timespan.NANOSECONDS)
        long age;
        @Label("Opened At")
        @Description("Where it was opened, when creation-site capture sampled it")
        String openedAt;
    }

    @Name(EventNames.COUNTER)
    @Label("Counter")
    @Description("A Canopy counter's total and live values")
    @Category({"Canopy", "Counters"})
    @StackTrace(false)
    @Registered(false)
    @Period("10 s")
    static final class Counter extends Event {
        @Label("Key")
        String key;
        @Label("Total")
        long total;
        @Label("Live")
        long live;
        @Label("Rate per Second")
        @Description("Over the last minute")
        double ratePerSecond;
    }

    @Name(EventNames.TREE_STATISTICS)
    @Label("Tree Statistics")
    @Description("Contexts and named locks of a Canopy tree")
    @Category({"Canopy", "Statistics"})
    @StackTrace(false)
    @Registered(false)
    @Period("5 s")
    static final class TreeStatistics extends Event {
        @Label("Root")
        String root;
        @Label("Live Contexts")
        long liveContexts;
        @Label("Created")
        long created;
        @Label("Completed")
        long completed;
        @Label("Failed")
        long failed;
        @Label("Cancelled")
        long cancelled;
        @Label("Leaked")
        long leaked;
        @Label("Named Locks")
        int namedLocks;
        @Label("Waiters")
        int waiters;
        @Label("Counter Keys")
        int counterKeys;
    }

    /**
     * Never committed: JFR gives an event type one period, either a duration or chunk boundaries, never both. Counter
     * and TreeStatistics keep their durations, and this type's hook, run at the start and end of every chunk, emits
     * them there too (see {@link JfrListener#emitAtChunkBoundary()}).
     */
    @Name(EventNames.CHUNK_BOUNDARY)
    @Label("Chunk Boundary")
    @Description("Carries no data and is never recorded: at the start and end of every chunk it makes Canopy emit "
            + "Counter and Tree Statistics, so a recording shorter than their period still carries their values")
    @Category({"Canopy", "Statistics"})
    @StackTrace(false)
    @Registered(false)
    @Period("everyChunk")
    static final class ChunkBoundary extends Event {
    }
}
