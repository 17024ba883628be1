package dev.canopy.otel;

import dev.canopy.Context;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which contexts {@link CanopyTracing#export(dev.canopy.ContextTree, io.opentelemetry.api.OpenTelemetry,
 * ExportOptions) export} turns into spans. Immutable: each method returns new options.
 * <pre>{@code
 * ExportOptions.all()                                              // every context created while exporting
 * ExportOptions.pathPrefix("global.http-proxy")                    // that context and everything below it
 *         .excluding("global.http-proxy", "global.http-proxy.connection-pool")   // long-lived: no hour-long spans
 * ExportOptions.matching(c -> c.getDataJson("tenant").isPresent())
 * }</pre>
 *
 * <p><b>A child of a context that is not exported</b> still becomes a span when the options select it. The parent
 * of an exported context's span is, the first that applies: the caller's span when the context
 * {@link CanopyTracing#continueTrace continues a trace}; the span of its nearest exported ancestor (so an excluded
 * service context is skipped, and its requests hang directly under whatever span is above the service); the
 * OpenTelemetry span current on the thread that creates the context; none, a trace of its own.
 */
public final class ExportOptions {
    private static final ExportOptions ALL = new ExportOptions(c -> true, Set.of());

    private final Predicate<? super Context> selected;
    private final Set<String> excludedPaths;

    private ExportOptions(Predicate<? super Context> selected, Set<String> excludedPaths) {
        this.selected = selected;
        this.excludedPaths = excludedPaths;
    }

    /** Every context created while the export runs. */
    public static ExportOptions all() {
        return ALL;
    }

    /**
     * The context at {@code path} and every context below it: {@code "global.http"} selects {@code global.http}
     * and {@code global.http.request}, but not {@code global.https}.
     *
     * @throws IllegalArgumentException if the path is empty or blank, or starts or ends with {@code '.'}
     */
    public static ExportOptions pathPrefix(String path) {
        String prefix = checkedPath(path);
        String below = prefix + ".";
        return new ExportOptions(c -> isAtOrBelow(c.path(), prefix, below), Set.of());
    }

    private static boolean isAtOrBelow(String path, String prefix, String below) {
        return path.startsWith(below) || path.equals(prefix);
    }

    /**
     * The contexts for which {@code predicate} holds when they are created. It runs on the thread creating each
     * context, so keep it cheap; the context's name, path, parent and initial data are set by then. A predicate that
     * throws leaves that context out (logged once per export); its children are asked again.
     */
    public static ExportOptions matching(Predicate<? super Context> predicate) {
        return new ExportOptions(Objects.requireNonNull(predicate, "predicate"), Set.of());
    }

    /**
     * Also leaves out the contexts with exactly these paths (long-lived service contexts, say, which would otherwise
     * be spans as long as the service runs). Their children are still exported when selected.
     *
     * @throws IllegalArgumentException if a path is empty or blank, or starts or ends with {@code '.'}
     */
    public ExportOptions excluding(String... paths) {
        Objects.requireNonNull(paths, "paths");
        Set<String> more = new HashSet<>(excludedPaths);
        for (String p : paths) {
            more.add(checkedPath(p));
        }
        return new ExportOptions(selected, Set.copyOf(more));
    }

    private static String checkedPath(String path) {
        Objects.requireNonNull(path, "path");
        if (path.isBlank() || path.startsWith(".") || path.endsWith(".")) {
            throw new IllegalArgumentException("not a context path: \"" + path + "\" (expected a dotted path from "
                    + "the root, such as \"global.http-proxy\")");
        }
        return path;
    }

    /** Whether {@code context} becomes a span. */
    boolean exports(Context context) {
        return (excludedPaths.isEmpty() || !excludedPaths.contains(context.path())) && selected.test(context);
    }
}
