package dev.canopy.otel;

import dev.canopy.Canopy;
import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.bridge.BridgeFailures;
import dev.canopy.bridge.BridgeRoot;
import dev.canopy.bridge.ForeignNames;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.ExceptionEventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Shows every live OpenTelemetry span as a Canopy context, so a service traced with the OpenTelemetry SDK (or its
 * Java agent, see {@link CanopyAgentExtension}) appears in {@code canopy status}, JConsole and JFR.
 * <pre>{@code
 * SdkTracerProvider.builder().addSpanProcessor(new CanopySpanProcessor()) ...
 * }</pre>
 *
 * <ul>
 *   <li>A span is a context from start to end, a child of its parent span's context. A span without a local
 *       parent span (a root span, or one continuing a trace from another process) goes under the
 *       {@link Canopy#current() current} context, or else under {@code global.spans} ({@link #withRoot(String)}).</li>
 *   <li>The context is named after the span with {@code '.'} replaced by {@code '_'} (dots separate path
 *       segments); the original name is then kept as data {@value #NAME_KEY}.</li>
 *   <li>Data: {@value #TRACE_ID_KEY}, {@value #SPAN_ID_KEY}, {@value #KIND_KEY}, and the span's first few attributes
 *       ({@link #withMaxAttributes(int)}, 8 by default, in key order), skipping keys that look like secrets. The data
 *       is read from the span whenever the context is looked at ({@link dev.canopy.LiveData}), not copied at the
 *       start: attributes set while the span runs show too, and starting a span costs one child context more.</li>
 *   <li>The context ends with the span's status: {@code FAILED} for {@link StatusCode#ERROR}, with the recorded
 *       exception (or a {@link SpanStatusException} carrying the status description), else completed.</li>
 * </ul>
 * Spans of the tracer {@value CanopyTracing#INSTRUMENTATION_SCOPE} are left out: they are Canopy contexts
 * exported by {@link CanopyTracing#export}, already in the tree. Only spans the sampler records reach a processor.
 * Callbacks run on the threads that start and end spans, so the work is a child open and close plus a map entry;
 * the processor never throws into the traced code.
 */
public final class CanopySpanProcessor implements SpanProcessor {
    public static final String TRACE_ID_KEY = "trace.id";
    public static final String SPAN_ID_KEY = "span.id";
    public static final String KIND_KEY = "span.kind";
    /** Data key of the span's name, when the context name had to differ from it. */
    public static final String NAME_KEY = "span.name";
    /** The name, under the tree's root, of the default parent of spans without a local parent span. */
    public static final String DEFAULT_ROOT_NAME = "spans";
    public static final int DEFAULT_MAX_ATTRIBUTES = 8;
    private static final int MAX_ATTRIBUTES_LIMIT = 64;

    private final Supplier<BridgeRoot> root;
    private final int maxAttributes;
    private final LiveSpans live = new LiveSpans();
    /** The root once asked for: shutting down must not create a tree that no span ever needed. */
    private volatile BridgeRoot resolved;

    /**
     * A processor for the default tree ({@link Canopy#tree()}), spans without a parent under {@code global.spans}. It
     * follows the current context into another tree: in a test run with {@link dev.canopy.junit.CanopyExtension},
     * spans the test starts go into the test's tree and are checked with it. A processor made for a tree
     * ({@link #CanopySpanProcessor(ContextTree)}) keeps to that tree.
     */
    public CanopySpanProcessor() {
        this(constant(BridgeRoot.followingCurrentTree(Canopy.tree(),
                Canopy.tree().root().name() + "." + DEFAULT_ROOT_NAME)), DEFAULT_MAX_ATTRIBUTES);
    }

    /** A processor for {@code tree}, spans without a parent under {@code <root>.spans}. */
    public CanopySpanProcessor(ContextTree tree) {
        this(constant(new BridgeRoot(Objects.requireNonNull(tree, "tree"),
                tree.root().name() + "." + DEFAULT_ROOT_NAME)), DEFAULT_MAX_ATTRIBUTES);
    }

    /** For the agent extension: the tree is chosen when the first span starts, not while the agent starts. */
    CanopySpanProcessor(Supplier<BridgeRoot> root, int maxAttributes) {
        this.root = root;
        this.maxAttributes = maxAttributes;
    }

    private static Supplier<BridgeRoot> constant(BridgeRoot r) {
        return () -> r;
    }

    /**
     * Puts spans without a local parent span, and without a current Canopy context, under the context at
     * {@code path} instead (one of the application's own, looked up among the live contexts, or else opened by the
     * processor). Returns a new processor: configure before adding it to a tracer provider.
     *
     * @param path a dotted path starting with the tree's root name, such as {@code "global.http-server"}
     * @throws IllegalArgumentException if the path does not start at the root or has an invalid segment
     */
    public CanopySpanProcessor withRoot(String path) {
        return new CanopySpanProcessor(constant(root().at(path)), maxAttributes);
    }

    /**
     * How many of the span's attributes are shown as data (0 to 64; 8 by default): the context shows what the work
     * is, the trace keeps the detail.
     *
     * @throws IllegalArgumentException if {@code max} is outside 0..64
     */
    public CanopySpanProcessor withMaxAttributes(int max) {
        if (max < 0 || max > MAX_ATTRIBUTES_LIMIT) {
            throw new IllegalArgumentException("maxAttributes must be between 0 and " + MAX_ATTRIBUTES_LIMIT
                    + ", not " + max);
        }
        return new CanopySpanProcessor(root, max);
    }

    /** The tree spans go into. */
    public ContextTree tree() {
        return root().tree();
    }

    private BridgeRoot root() {
        BridgeRoot r = resolved;
        if (r == null) {
            r = root.get();
            resolved = r;
        }
        return r;
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    @Override
    public void onStart(io.opentelemetry.context.Context parentContext, ReadWriteSpan span) {
        if (CanopyTracing.INSTRUMENTATION_SCOPE.equals(span.getInstrumentationScopeInfo().getName())) {
            return; // a span the export started for a context: mirroring it would show that context twice
        }
        // names the span while its context (and maybe the parent for orphans) opens, so an export on the same tree
        // knows those contexts for the processor's own
        SpanContext outer = MirroredSpans.opening(span.getSpanContext());
        try {
            BridgeRoot r = root();
            LiveSpan entry = new LiveSpan(span, maxAttributes, live.queue());
            entry.context = r.open(parentOf(r, parentContext), ForeignNames.contextName(span.getName()), entry);
            live.put(entry);
        } catch (RuntimeException e) {
            BridgeFailures.report("start span \"" + span.getName() + "\"", e);
        } finally {
            MirroredSpans.opened(outer);
        }
    }

    private Context parentOf(BridgeRoot r, io.opentelemetry.context.Context parentContext) {
        Span parent = parentContext == null ? null : Span.fromContextOrNull(parentContext);
        if (parent != null && !parent.getSpanContext().isRemote()) {
            LiveSpan entry = live.get(parent);
            if (entry != null && !entry.context.isEnded()) {
                return entry.context;
            }
        }
        return r.parentForOrphan();
    }

    @Override
    public void onEnd(ReadableSpan span) {
        LiveSpan entry = live.remove(span);
        if (entry == null) {
            return;
        }
        Context context = entry.context;
        try {
            SpanData data = span.toSpanData();
            StatusData status = data.getStatus();
            if (status.getStatusCode() == StatusCode.ERROR) {
                context.fail(failureOf(data, status));
            } else {
                context.close();
            }
            if (!context.isEnded()) {
                entry.keepAndRelease(); // still in the tree, waiting for children
            }
        } catch (RuntimeException e) {
            BridgeFailures.report("end span \"" + span.getName() + "\"", e);
        }
    }

    /** The exception recorded on the span (the last one), else the status description as an exception. */
    private static Throwable failureOf(SpanData data, StatusData status) {
        Throwable recorded = null;
        for (EventData event : data.getEvents()) {
            if (event instanceof ExceptionEventData e) {
                recorded = e.getException();
            }
        }
        return recorded != null ? recorded : new SpanStatusException(data.getName(), status.getDescription());
    }

    /** How many spans are live in the tree now (for tests and diagnostics). */
    int liveSpans() {
        return live.size();
    }

    /** Closes the contexts the processor opened as parents; spans still live are cancelled with them. */
    @Override
    public CompletableResultCode shutdown() {
        BridgeRoot r = resolved;
        try {
            if (r != null) {
                r.close();
            }
        } catch (RuntimeException e) {
            BridgeFailures.report("shut down", e);
        }
        return CompletableResultCode.ofSuccess();
    }
}
