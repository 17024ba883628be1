package dev.canopy;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;

/** Rarely used parts of a context. Sub-parts are created under the monitor: a cold path. */
final class ContextExtras {
    volatile ConcurrentHashMap<String, JsonNode> data;
    volatile Set<String> secretKeys;
    /**
     * The texts of this context's stored secrets that its tree's {@link SecretIndex} holds, by key; null while there
     * are none. Changed under this object's monitor. Volatile because the context's end reads it without the monitor
     * and must not miss texts indexed while it ends (see {@link ContextData#indexSecret}).
     */
    volatile java.util.Map<String, java.util.List<String>> indexedSecrets;
    /** Set under the monitor once the context has left the tree: its secrets are no longer indexed. */
    boolean secretsForgotten;
    volatile ConcurrentHashMap<String, MetricValue> metrics;
    volatile ReadOnlyFuture<Void> cancelled;
    volatile ReadOnlyFuture<ContextState> ended;
    volatile ConcurrentLinkedQueue<CancelCallback> callbacks;
    volatile Set<TaskImpl<?>> tasks;
    volatile ConcurrentHashMap<String, LocalCounter> counters;
    volatile java.util.concurrent.ConcurrentLinkedDeque<OperationImpl> operations;
    volatile ScheduledFuture<?> deadlineTimer;
    volatile Throwable failure;
    /**
     * Set before the context is published and never changed (see {@link LiveData}), so plain: publishing the
     * context orders it for every reader.
     */
    LiveData liveData;

    // each part: read the volatile field, and only take the monitor to create it (a cold path)
    ConcurrentHashMap<String, JsonNode> data() {
        ConcurrentHashMap<String, JsonNode> d = data;
        return d != null ? d : createData();
    }

    private synchronized ConcurrentHashMap<String, JsonNode> createData() {
        if (data == null) {
            data = new ConcurrentHashMap<>(4);
        }
        return data;
    }

    synchronized Set<String> secretKeys() {
        if (secretKeys == null) {
            secretKeys = ConcurrentHashMap.newKeySet();
        }
        return secretKeys;
    }

    ConcurrentHashMap<String, MetricValue> metrics() {
        ConcurrentHashMap<String, MetricValue> m = metrics;
        return m != null ? m : createMetrics();
    }

    private synchronized ConcurrentHashMap<String, MetricValue> createMetrics() {
        if (metrics == null) {
            metrics = new ConcurrentHashMap<>(4);
        }
        return metrics;
    }

    synchronized ReadOnlyFuture<Void> cancelledFuture() {
        if (cancelled == null) {
            cancelled = new ReadOnlyFuture<>();
        }
        return cancelled;
    }

    synchronized ReadOnlyFuture<ContextState> endedFuture() {
        if (ended == null) {
            ended = new ReadOnlyFuture<>();
        }
        return ended;
    }

    synchronized ConcurrentLinkedQueue<CancelCallback> callbacks() {
        if (callbacks == null) {
            callbacks = new ConcurrentLinkedQueue<>();
        }
        return callbacks;
    }

    ConcurrentHashMap<String, LocalCounter> counters() {
        ConcurrentHashMap<String, LocalCounter> c = counters;
        return c != null ? c : createCounters();
    }

    private synchronized ConcurrentHashMap<String, LocalCounter> createCounters() {
        if (counters == null) {
            counters = new ConcurrentHashMap<>(4);
        }
        return counters;
    }

    java.util.concurrent.ConcurrentLinkedDeque<OperationImpl> operations() {
        java.util.concurrent.ConcurrentLinkedDeque<OperationImpl> o = operations;
        return o != null ? o : createOperations();
    }

    private synchronized java.util.concurrent.ConcurrentLinkedDeque<OperationImpl> createOperations() {
        if (operations == null) {
            operations = new java.util.concurrent.ConcurrentLinkedDeque<>();
        }
        return operations;
    }

    Set<TaskImpl<?>> tasks() {
        Set<TaskImpl<?>> t = tasks;
        return t != null ? t : createTasks();
    }

    private synchronized Set<TaskImpl<?>> createTasks() {
        if (tasks == null) {
            tasks = ConcurrentHashMap.newKeySet();
        }
        return tasks;
    }

    void onCancel() {
        ReadOnlyFuture<Void> f = cancelled;
        if (f != null) {
            f.completeInternally(null);
        }
        ConcurrentLinkedQueue<CancelCallback> cbs = callbacks;
        if (cbs != null) {
            CancelCallback cb;
            while ((cb = cbs.poll()) != null) {
                cb.fire();
            }
        }
        Set<TaskImpl<?>> ts = tasks;
        if (ts != null && !ts.isEmpty()) {
            for (TaskImpl<?> t : ts) {
                t.cancel(true);
            }
        }
    }
}
