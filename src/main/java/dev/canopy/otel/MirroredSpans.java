package dev.canopy.otel;

import dev.canopy.Context;
import io.opentelemetry.api.trace.SpanContext;

/**
 * Tells the export which contexts {@link CanopySpanProcessor} opens: the mirror of a span, which stands for that
 * span already and must never become a second one (its children, though, belong under the span it mirrors), and
 * the processor's parent for spans without a local parent ({@code global.spans}), which is no work of its own.
 *
 * <p>The processor opens those contexts on the thread that starts the span, and listeners hear of a new context on
 * the thread that opens it, before {@code open()} returns. So the processor names the span in a thread-local while
 * it opens them, and the export's listener, running inside that open, reads it: exact (trace flags and trace state
 * included, which the context's data does not carry) and impossible to fake with data.
 */
final class MirroredSpans {
    private static final ThreadLocal<SpanContext> OPENING = new ThreadLocal<>();

    private MirroredSpans() {
    }

    /** The processor starts opening contexts for {@code span}; returns what to hand to {@link #opened}. */
    static SpanContext opening(SpanContext span) {
        SpanContext outer = OPENING.get();
        OPENING.set(span);
        return outer;
    }

    /** The processor is done with the contexts for the span {@link #opening} named. */
    static void opened(SpanContext outer) {
        OPENING.set(outer);
    }

    /** The span whose contexts the processor is opening on this thread, or {@code null}. */
    static SpanContext openingNow() {
        return OPENING.get();
    }

    /** Whether {@code context}, opened while {@link #openingNow()} is {@code span}, is that span's mirror. */
    static boolean mirrors(Context context, SpanContext span) {
        String spanId = context.getDataJson(CanopySpanProcessor.SPAN_ID_KEY).orElse("");
        // stored as JSON text: the id in quotes
        return spanId.length() == span.getSpanId().length() + 2 && spanId.startsWith(span.getSpanId(), 1);
    }
}
