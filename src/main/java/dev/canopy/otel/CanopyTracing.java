package dev.canopy.otel;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.canopy.Context;
import dev.canopy.ContextBuilder;
import dev.canopy.ContextTree;
import dev.canopy.Registration;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.TextMapGetter;

import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Canopy contexts as OpenTelemetry spans, and traces that continue from one service to the next through the W3C
 * {@code traceparent} header. Needs only the OpenTelemetry API; the {@link OpenTelemetry} given to
 * {@link #export} (usually the SDK, with an exporter to a collector) decides where spans go.
 * <pre>{@code
 * try (Registration export = CanopyTracing.export(tree, openTelemetry)) { ... }        // every new context is a span
 *
 * HttpRequest request = CanopyTracing.inject(ctx, HttpRequest.newBuilder(uri)).build();   // calling a service
 *
 * try (Context request = CanopyTracing.continueTrace(service.child("request"),              // answering one
 *         exchange.getRequestHeaders()).open()) { ... }
 * }</pre>
 *
 * <h2>What a span carries</h2>
 * <ul>
 *   <li>the context's {@link Context#name() name} as span name, {@value #PATH_ATTRIBUTE} and
 *       {@value #ID_ATTRIBUTE} as attributes from the start (so a sampler can choose by path);</li>
 *   <li>at the end, the context's data as attributes (strings, booleans, whole and decimal numbers as such; objects
 *       and arrays as JSON text). Secrets ({@link Context#setSecret}, {@link ContextTree.Builder#redactKeys}) are
 *       never copied. Metrics are not copied;</li>
 *   <li>status {@code ERROR} for a {@code FAILED} context, with the exception recorded as an event; status
 *       {@code ERROR} with the cancel reason as description for a {@code CANCELLED} one, and the reason and who
 *       cancelled as {@value #CANCEL_REASON_ATTRIBUTE} and {@value #CANCEL_INITIATOR_ATTRIBUTE}; otherwise unset;</li>
 *   <li>kind {@code SERVER} when the context continues a caller's trace, else {@code INTERNAL}.</li>
 * </ul>
 * An exported context shows its span as data {@value #TRACEPARENT_KEY} (in {@code canopy status} too, to look the
 * trace up); a context that continues a trace shows its caller's as {@value #REMOTE_TRACEPARENT_KEY}.
 *
 * <h2>No loops</h2>
 * A context that {@link CanopySpanProcessor} opened for an OpenTelemetry span is never exported: it stands for that
 * span already, and contexts below it become that span's children. The export's spans come from the tracer named
 * {@value #INSTRUMENTATION_SCOPE}, and the processor never mirrors spans of that tracer back into contexts, so both
 * may be installed on the same SDK.
 */
public final class CanopyTracing {
    /** The instrumentation scope (tracer name) of exported spans. */
    public static final String INSTRUMENTATION_SCOPE = "dev.canopy.export";
    /** Span attribute: the context's dotted path. */
    public static final String PATH_ATTRIBUTE = "canopy.path";
    /** Span attribute: the context's {@link Context#id() id}. */
    public static final String ID_ATTRIBUTE = "canopy.context.id";
    /** Span attribute of a cancelled context: the cancel reason. */
    public static final String CANCEL_REASON_ATTRIBUTE = "canopy.cancel.reason";
    /** Span attribute of a cancelled context: the path of the context the cancel started at. */
    public static final String CANCEL_INITIATOR_ATTRIBUTE = "canopy.cancel.initiator";
    /** Data of an exported context: its span as a W3C {@code traceparent} value. */
    public static final String TRACEPARENT_KEY = "traceparent";
    /** Data of an exported context whose span has a trace state: it as a W3C {@code tracestate} value. */
    public static final String TRACESTATE_KEY = "tracestate";
    /** Data of a context that continues a trace: the caller's {@code traceparent}. */
    public static final String REMOTE_TRACEPARENT_KEY = "remote.traceparent";
    /** Data of a context that continues a trace: the caller's {@code tracestate}, if it sent one. */
    public static final String REMOTE_TRACESTATE_KEY = "remote.tracestate";

    /** The W3C header names (lower case, as HTTP/2 requires). */
    static final String TRACEPARENT_HEADER = "traceparent";
    static final String TRACESTATE_HEADER = "tracestate";

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    private CanopyTracing() {
    }

    // ------------------------------------------------------------------ export

    /** Exports every context of {@code tree} created from now on: see {@link #export(ContextTree, OpenTelemetry, ExportOptions)}. */
    public static Registration export(ContextTree tree, OpenTelemetry openTelemetry) {
        return export(tree, openTelemetry, ExportOptions.all());
    }

    /**
     * From now until the returned registration is closed, every context of {@code tree} that {@code options}
     * selects is also an OpenTelemetry span: started when the context is created, ended when it ends, a child of
     * its parent context's span whichever thread or executor the work runs on. Contexts that existed before are not
     * spans; closing the registration stops new spans, and the spans already started still end with their contexts.
     * Parents of contexts whose parent is not exported: see {@link ExportOptions}. While code runs with a context
     * current (a {@code makeCurrent()} scope, a task's body, a wrapped call), the context's span (or, for one that
     * is no span, the span its children would get as parent) is OpenTelemetry's current span too, so spans other
     * instrumentation starts there are its children.
     *
     * <p>The work happens on the threads that create and end contexts: a span started and ended, and the context's
     * data copied at its end. Exporting each context twice (calling this twice for one tree) gives each two spans.
     *
     * @throws NullPointerException  if an argument is null (the message names it)
     * @throws IllegalStateException if the tree is closed
     */
    public static Registration export(ContextTree tree, OpenTelemetry openTelemetry, ExportOptions options) {
        Objects.requireNonNull(tree, "tree");
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        Objects.requireNonNull(options, "options");
        return tree.addListener(new ContextSpans(openTelemetry.getTracer(INSTRUMENTATION_SCOPE), options));
    }

    // ------------------------------------------------------------------ calling another service

    /**
     * The W3C {@code traceparent} header value ({@code 00-<trace id>-<span id>-<flags>}) that makes a call made for
     * {@code context} a child of its span. A context that is not a span (not selected, or created while no export
     * ran) gives the span its children would hang under: its nearest exported ancestor's, or the caller's span of
     * a context that {@link #continueTrace continues a trace}. Empty when there is none of these, so nothing is
     * propagated. Contexts opened by {@link CanopySpanProcessor} belong to OpenTelemetry's own propagation and are
     * passed over.
     */
    public static Optional<String> traceparent(Context context) {
        Objects.requireNonNull(context, "context");
        TraceHeaders h = TraceHeaders.of(context);
        return h == null ? Optional.empty() : Optional.of(h.traceparent);
    }

    /**
     * The trace headers for a call made for {@code context}: {@code traceparent} (see {@link #traceparent}) and,
     * when the span has one, {@code tracestate}. Empty when there is no span to propagate. For clients other than
     * the JDK's, set each entry as a request header.
     */
    public static Map<String, String> traceHeaders(Context context) {
        Objects.requireNonNull(context, "context");
        TraceHeaders h = TraceHeaders.of(context);
        if (h == null) {
            return Map.of();
        }
        return h.tracestate == null ? Map.of(TRACEPARENT_HEADER, h.traceparent)
                : Map.of(TRACEPARENT_HEADER, h.traceparent, TRACESTATE_HEADER, h.tracestate);
    }

    /**
     * Sets the {@link #traceHeaders trace headers} of {@code context} on a JDK {@code HttpClient} request (replacing
     * any set before), so the service called continues this trace; sets nothing when there is no span to propagate.
     *
     * @return {@code request}, to go on building it
     */
    public static HttpRequest.Builder inject(Context context, HttpRequest.Builder request) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(request, "request");
        traceHeaders(context).forEach(request::setHeader);
        return request;
    }

    // ------------------------------------------------------------------ answering another service

    /**
     * Makes the context {@code child} will create continue the trace of the caller whose request carried
     * {@code headers} (a {@code com.sun.net.httpserver.Headers}, or any map of header name to values; names are
     * matched ignoring case): its span, when exported, is a child of the caller's span, with kind {@code SERVER}.
     * <pre>{@code
     * try (Context request = CanopyTracing.continueTrace(service.child("request"), exchange.getRequestHeaders())
     *         .withData("path", exchange.getRequestURI().getPath()).open()) { ... }
     * }</pre>
     * Headers are the caller's input: a missing or malformed {@code traceparent} is ignored (the context then starts
     * as any other), never an exception. The caller's span context is kept as data
     * ({@value #REMOTE_TRACEPARENT_KEY}), so it also reaches contexts created by a {@code spawn}.
     *
     * @return {@code child}, to go on describing it and then {@code open()} or {@code spawn(...)} it
     */
    public static ContextBuilder continueTrace(ContextBuilder child, Map<String, List<String>> headers) {
        Objects.requireNonNull(headers, "headers");
        return continueTrace(child, name -> firstValue(headers, name));
    }

    /**
     * As {@link #continueTrace(ContextBuilder, Map)}, reading each header with {@code header}: given a header name
     * ({@code "traceparent"}, {@code "tracestate"}), it returns the value or {@code null}. For servlet requests
     * {@code request::getHeader}, for message headers whatever reads them. If {@code header} throws, the trace is
     * not continued and the exception goes no further.
     */
    public static ContextBuilder continueTrace(ContextBuilder child, Function<String, String> header) {
        Objects.requireNonNull(child, "child");
        Objects.requireNonNull(header, "header");
        SpanContext caller;
        try {
            caller = Span.fromContext(W3C.extract(io.opentelemetry.context.Context.root(), header, FUNCTION_GETTER))
                    .getSpanContext();
        } catch (RuntimeException malformedOrFailedRead) {
            return child; // the request is served all the same; only the link to the caller is lost
        }
        if (!caller.isValid()) {
            return child;
        }
        // stored normalised, as the propagator writes it: the data shows what was understood, not the raw input
        Map<String, String> normalised = write(caller);
        child.withData(REMOTE_TRACEPARENT_KEY, TextNode.valueOf(normalised.get(TRACEPARENT_HEADER)));
        String state = normalised.get(TRACESTATE_HEADER);
        if (state != null) {
            child.withData(REMOTE_TRACESTATE_KEY, TextNode.valueOf(state));
        }
        return child;
    }

    private static String firstValue(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        if (values == null) {
            // com.sun.net.httpserver.Headers normalises names itself; a plain map may hold any spelling
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (name.equalsIgnoreCase(e.getKey())) {
                    values = e.getValue();
                    break;
                }
            }
        }
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static final TextMapGetter<Function<String, String>> FUNCTION_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Function<String, String> carrier) {
            return List.of(TRACEPARENT_HEADER, TRACESTATE_HEADER);
        }

        @Override
        public String get(Function<String, String> carrier, String key) {
            return carrier == null ? null : carrier.apply(key);
        }
    };

    // ------------------------------------------------------------------ shared with the listener

    /** {@code span} as W3C headers: {@code traceparent}, and {@code tracestate} when not empty. */
    static Map<String, String> write(SpanContext span) {
        Map<String, String> out = new LinkedHashMap<>(4);
        W3C.inject(io.opentelemetry.context.Context.root().with(Span.wrap(span)), out, Map::put);
        return out;
    }

    /** The caller's span a context continues (its {@value #REMOTE_TRACEPARENT_KEY} data), or {@code null}. */
    static SpanContext remoteParent(Context context) {
        if (context.getDataJson(REMOTE_TRACEPARENT_KEY).isEmpty()) {
            return null; // the common case, decided by one lookup
        }
        try {
            SpanContext caller = Span.fromContext(W3C.extract(io.opentelemetry.context.Context.root(), context,
                    DATA_GETTER)).getSpanContext();
            return caller.isValid() ? caller : null;
        } catch (RuntimeException notText) {
            return null; // set by hand to something that is not a header value: ignored, as a bad header is
        }
    }

    /** Reads the W3C headers a context continues from its data (which anyone may have set: validated again). */
    private static final TextMapGetter<Context> DATA_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Context carrier) {
            return List.of(TRACEPARENT_HEADER, TRACESTATE_HEADER);
        }

        @Override
        public String get(Context carrier, String key) {
            if (carrier == null) {
                return null;
            }
            String dataKey = TRACEPARENT_HEADER.equals(key) ? REMOTE_TRACEPARENT_KEY
                    : TRACESTATE_HEADER.equals(key) ? REMOTE_TRACESTATE_KEY : null;
            return dataKey == null ? null : carrier.getData(dataKey, String.class).orElse(null);
        }
    };

    /** The headers that propagate the span of a context, found as {@link #traceparent} describes. */
    private record TraceHeaders(String traceparent, String tracestate) {
        static TraceHeaders of(Context context) {
            for (Context c = context; c != null; c = c.parent().orElse(null)) {
                String own = text(c, TRACEPARENT_KEY);
                if (own != null) {
                    return new TraceHeaders(own, text(c, TRACESTATE_KEY));
                }
                String caller = text(c, REMOTE_TRACEPARENT_KEY);
                if (caller != null) {
                    return new TraceHeaders(caller, text(c, REMOTE_TRACESTATE_KEY));
                }
            }
            return null;
        }

        private static String text(Context c, String key) {
            try {
                return c.getData(key, String.class).orElse(null);
            } catch (IllegalArgumentException notText) {
                return null;
            }
        }
    }
}
