package dev.canopy.otel;

import dev.canopy.Context;
import dev.canopy.LiveData;
import dev.canopy.bridge.DataValues;
import dev.canopy.bridge.ForeignNames;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.ReadableSpan;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One live span as the processor keeps it: the key of its entry in {@link LiveSpans} (holding the span weakly),
 * its Canopy context, and that context's {@link LiveData}, read from the span when the context is shown. One object
 * for the three keeps a bridged span at one allocation beyond the child context.
 */
final class LiveSpan extends WeakReference<Object> implements LiveData {
    /** Kinds as ready data values: one per kind, shared by every span. */
    private static final Object[] KINDS;

    static {
        SpanKind[] kinds = SpanKind.values();
        KINDS = new Object[kinds.length];
        for (SpanKind k : kinds) {
            KINDS[k.ordinal()] = DataValues.text(k.name());
        }
    }

    private final int hash;
    /** Immutable and small: the ids stay readable even once the span itself is gone. */
    private final SpanContext spanContext;
    private final SpanKind kind;
    private final int maxAttributes;
    /** Written once the context opened, before the entry is put into the map (which publishes it). */
    Context context;

    LiveSpan(ReadableSpan span, int maxAttributes, ReferenceQueue<Object> queue) {
        super(span, queue);
        this.spanContext = span.getSpanContext();
        this.hash = LiveSpans.hashOf(spanContext);
        this.kind = span.getKind();
        this.maxAttributes = maxAttributes;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** Equal to itself (to be expunged once collected) and to a {@link LiveSpans.Lookup} of the same span. */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        Object span = get();
        return span != null && o instanceof LiveSpans.Lookup l && l.span == span;
    }

    @Override
    public void describe(BiConsumer<String, Object> out) {
        out.accept(CanopySpanProcessor.TRACE_ID_KEY, spanContext.getTraceId());
        out.accept(CanopySpanProcessor.SPAN_ID_KEY, spanContext.getSpanId());
        out.accept(CanopySpanProcessor.KIND_KEY, KINDS[kind.ordinal()]);
        if (!(get() instanceof ReadableSpan span)) {
            return;
        }
        String name = span.getName();
        if (name != null && !ForeignNames.contextName(name).equals(name)) {
            out.accept(CanopySpanProcessor.NAME_KEY, DataValues.text(name));
        }
        if (maxAttributes == 0) {
            return;
        }
        int added = 0;
        for (Map.Entry<AttributeKey<?>, Object> e : span.getAttributes().asMap().entrySet()) {
            if (added == maxAttributes) {
                return;
            }
            String key = e.getKey().getKey();
            if (ForeignNames.isUsableKey(key) && !ForeignNames.isSecretLike(key) && !isOwnKey(key)) {
                out.accept(key, DataValues.of(e.getValue()));
                added++;
            }
        }
    }

    /** The values of secret-like attributes, which {@link #describe} never gives (each element of an array one). */
    @Override
    public void withheldSecrets(Consumer<String> out) {
        if (!(get() instanceof ReadableSpan span)) {
            return;
        }
        span.getAttributes().forEach((key, value) -> {
            if (ForeignNames.isSecretLike(key.getKey())) {
                if (value instanceof List<?> values) {
                    values.forEach(v -> out.accept(String.valueOf(v)));
                } else {
                    out.accept(String.valueOf(value));
                }
            }
        });
    }

    /** The span's own keys without reading the span (the export looks up the span id of every new context). */
    @Override
    public Object value(String key) {
        return switch (key) {
            case CanopySpanProcessor.TRACE_ID_KEY -> spanContext.getTraceId();
            case CanopySpanProcessor.SPAN_ID_KEY -> spanContext.getSpanId();
            case CanopySpanProcessor.KIND_KEY -> KINDS[kind.ordinal()];
            default -> LiveData.super.value(key);
        };
    }

    /**
     * The span ended but its context stays (it waits for children): keeps the data as it is now in the context and
     * lets go of the span, so the span is not kept reachable through the context and the data does not depend on
     * when the span is collected.
     */
    void keepAndRelease() {
        DataValues.keep(context, this);
        clear();
    }

    private static boolean isOwnKey(String key) {
        return key.equals(CanopySpanProcessor.TRACE_ID_KEY) || key.equals(CanopySpanProcessor.SPAN_ID_KEY)
                || key.equals(CanopySpanProcessor.KIND_KEY) || key.equals(CanopySpanProcessor.NAME_KEY);
    }
}
