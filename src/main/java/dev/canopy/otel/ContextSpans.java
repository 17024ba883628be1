package dev.canopy.otel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.canopy.Cancellation;
import dev.canopy.Context;
import dev.canopy.ContextState;
import dev.canopy.spi.TreeListener;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The export ({@link CanopyTracing#export}): a tree listener whose attachment for each context is a {@link Span}.
 *
 * <ul>
 *   <li>An exported context's attachment is the span started for it, which its end ends.</li>
 *   <li>Every other context passes a span on to its children as their parent, without a span of its own: the
 *       mirrored span for a context {@link CanopySpanProcessor} opened for a span (the contexts it opens as parents
 *       pass on their parent's), the caller's span for one that continues a
 *       trace, else its parent's. These are {@link Span#wrap} views, which are not recording, so the end of such a
 *       context ends nothing; a context with no span to pass on has {@code null}.</li>
 * </ul>
 * So a context's parent span is found from the one attachment the tree hands in, whatever thread creates it,
 * without a map or a walk up the tree. Both methods run on the threads that create and end contexts.
 */
final class ContextSpans implements TreeListener {
    /** Unescapes the rare JSON string with escapes in it; anything else is converted by hand. */
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REDACTED_JSON = "\"<redacted>\"";

    private final Tracer tracer;
    private final ExportOptions options;
    private final AtomicBoolean predicateFailureLogged = new AtomicBoolean();

    ContextSpans(Tracer tracer, ExportOptions options) {
        this.tracer = tracer;
        this.options = options;
    }

    @Override
    public Object contextStarted(Context context, Object parentAttachment) {
        SpanContext opening = MirroredSpans.openingNow();
        if (opening != null) {
            // opened by the span processor: a span's mirror, or its parent for orphan spans; never a span again
            return MirroredSpans.mirrors(context, opening) ? Span.wrap(opening) : passedOn(parentAttachment);
        }
        SpanContext caller = CanopyTracing.remoteParent(context);
        if (!selected(context)) {
            return caller != null ? Span.wrap(caller) : passedOn(parentAttachment);
        }
        SpanBuilder b = tracer.spanBuilder(context.name())
                .setAttribute(CanopyTracing.PATH_ATTRIBUTE, context.path())
                .setAttribute(CanopyTracing.ID_ATTRIBUTE, context.id());
        if (caller != null) {
            b.setParent(io.opentelemetry.context.Context.root().with(Span.wrap(caller))).setSpanKind(SpanKind.SERVER);
        } else if (parentAttachment instanceof Span parent) {
            b.setParent(io.opentelemetry.context.Context.root().with(parent));
        } else {
            // no span above it in the tree: join the span the creating code runs in, if any (a server span of the
            // agent, say), rather than start a trace that no one can relate to the request
            io.opentelemetry.context.Context current = io.opentelemetry.context.Context.current();
            if (Span.fromContext(current).getSpanContext().isValid()) {
                b.setParent(current);
            } else {
                b.setNoParent();
            }
        }
        Span span = b.startSpan();
        SpanContext own = span.getSpanContext();
        if (own.isValid()) {
            Map<String, String> headers = CanopyTracing.write(own);
            context.setData(CanopyTracing.TRACEPARENT_KEY, TextNode.valueOf(headers.get(CanopyTracing.TRACEPARENT_HEADER)));
            String state = headers.get(CanopyTracing.TRACESTATE_HEADER);
            if (state != null) {
                context.setData(CanopyTracing.TRACESTATE_KEY, TextNode.valueOf(state));
            }
        }
        return span;
    }

    private boolean selected(Context context) {
        try {
            return options.exports(context);
        } catch (RuntimeException e) {
            if (predicateFailureLogged.compareAndSet(false, true)) {
                System.getLogger(ContextSpans.class.getName()).log(System.Logger.Level.WARNING, "Canopy export: the "
                        + "ExportOptions predicate threw for " + context.path() + "; contexts it throws for are not "
                        + "exported (logged once per export)", e);
            }
            return false;
        }
    }

    /** What a context without a span of its own hands its children: its parent's span, as a view ending nothing. */
    private static Span passedOn(Object parentAttachment) {
        if (parentAttachment instanceof Span parent) {
            return parent.isRecording() ? Span.wrap(parent.getSpanContext()) : parent;
        }
        return null;
    }

    /**
     * Code runs with {@code context} current: its span (or the span it passes on) becomes OpenTelemetry's current
     * span too, so spans other instrumentation starts in that code (an HTTP client's, a JDBC driver's) are its
     * children. OpenTelemetry's scope closes when Canopy's does, on the same thread.
     */
    @Override
    public Object scopeEntered(Context context, Object contextAttachment) {
        return contextAttachment instanceof Span span ? span.makeCurrent() : null;
    }

    @Override
    public void scopeExited(Context context, Object attachment) {
        if (attachment instanceof io.opentelemetry.context.Scope scope) {
            scope.close();
        }
    }

    // the semantic conventions' exception attributes, as Span.recordException sets them
    private static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");
    private static final AttributeKey<String> EXCEPTION_MESSAGE = AttributeKey.stringKey("exception.message");
    private static final AttributeKey<String> EXCEPTION_STACKTRACE = AttributeKey.stringKey("exception.stacktrace");

    private static String stackTraceOf(Throwable failure) {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            failure.printStackTrace(out);
        }
        return text.toString();
    }

    @Override
    public void contextEnded(Context context, Object attachment, ContextState outcome, Throwable failure) {
        if (!(attachment instanceof Span span) || !span.isRecording()) {
            return; // not a span of ours, or one the sampler dropped: nothing to describe
        }
        for (Map.Entry<String, String> e : context.dataJson().entrySet()) {
            copy(span, e.getKey(), e.getValue());
        }
        if (outcome == ContextState.FAILED) {
            if (failure != null) {
                // not span.recordException(failure): its message and stack trace would carry secret values as they are
                var exception = Attributes.builder().put(EXCEPTION_TYPE, failure.getClass().getName());
                if (failure.getMessage() != null) {
                    exception.put(EXCEPTION_MESSAGE, context.withoutSecrets(failure.getMessage()));
                }
                span.addEvent("exception", exception.put(EXCEPTION_STACKTRACE,
                        context.withoutSecrets(stackTraceOf(failure))).build());
                span.setStatus(StatusCode.ERROR, context.withoutSecrets(failure.toString()));
            } else {
                span.setStatus(StatusCode.ERROR);
            }
        } else if (outcome == ContextState.CANCELLED) {
            Cancellation c = context.cancellation().orElse(null);
            if (c != null) {
                span.setAttribute(CanopyTracing.CANCEL_REASON_ATTRIBUTE, c.reason());
                span.setAttribute(CanopyTracing.CANCEL_INITIATOR_ATTRIBUTE, c.initiatorPath());
                span.setStatus(StatusCode.ERROR, "cancelled: " + c.reason());
            } else {
                span.setStatus(StatusCode.ERROR, "cancelled");
            }
        }
        span.end();
    }

    /**
     * One data entry as an attribute, from its JSON text. Secrets arrive as {@code "<redacted>"} and are left out,
     * as are the keys that describe the trace itself (the span's own ids and its parent link carry those).
     */
    private static void copy(Span span, String key, String json) {
        if (json.isEmpty() || json.equals(REDACTED_JSON) || isTraceKey(key)) {
            return;
        }
        char first = json.charAt(0);
        if (first == '"') {
            span.setAttribute(key, json.indexOf('\\') < 0 ? json.substring(1, json.length() - 1) : unescaped(json));
        } else if (json.equals("true") || json.equals("false")) {
            span.setAttribute(key, json.equals("true"));
        } else if (first == '-' || (first >= '0' && first <= '9')) {
            setNumber(span, key, json);
        } else if (!json.equals("null")) {
            span.setAttribute(key, json); // an object or an array: its JSON text
        }
    }

    private static void setNumber(Span span, String key, String json) {
        try {
            span.setAttribute(key, Long.parseLong(json));
        } catch (NumberFormatException notWhole) {
            try {
                span.setAttribute(key, Double.parseDouble(json));
            } catch (NumberFormatException beyondDouble) {
                span.setAttribute(key, json);
            }
        }
    }

    private static String unescaped(String json) {
        try {
            return JSON.readTree(json).textValue();
        } catch (JsonProcessingException e) {
            return json; // Canopy wrote it, so it parses; should it not, the text is still better than nothing
        }
    }

    private static boolean isTraceKey(String key) {
        return key.equals(CanopyTracing.TRACEPARENT_KEY) || key.equals(CanopyTracing.TRACESTATE_KEY)
                || key.equals(CanopyTracing.REMOTE_TRACEPARENT_KEY) || key.equals(CanopyTracing.REMOTE_TRACESTATE_KEY);
    }
}
