package dev.canopy.otel;

/**
 * The failure of a span that ended with status {@code ERROR} but recorded no exception: its message is the
 * status description. Carries no stack trace, which would only show the processor.
 */
public final class SpanStatusException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SpanStatusException(String spanName, String description) {
        super("span \"" + spanName + "\" ended with status ERROR"
                + (description == null || description.isEmpty() ? "" : ": " + description), null, false, false);
    }
}
