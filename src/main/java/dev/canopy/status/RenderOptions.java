package dev.canopy.status;

import java.util.Objects;

/**
 * How {@link Status#render(RenderOptions)} draws the tree.
 *
 * @param color        ANSI colours
 * @param collapseAt   siblings with the same name collapse into one line once there are this many
 *                     ({@code [×500] request (oldest 34m, newest 0.2s)}); 0 never collapses
 * @param pathPrefix   only contexts at or below this path (and their ancestors) are drawn; empty for all
 * @param maxDepth     levels drawn below the root before the rest is summarised
 * @param system       whether to draw the system line
 */
public record RenderOptions(boolean color, int collapseAt, String pathPrefix, int maxDepth, boolean system) {
    public RenderOptions {
        Objects.requireNonNull(pathPrefix, "pathPrefix");
        if (collapseAt < 0) {
            throw new IllegalArgumentException("collapseAt must not be negative: " + collapseAt);
        }
        if (maxDepth < 1) {
            throw new IllegalArgumentException("maxDepth must be at least 1: " + maxDepth);
        }
    }

    /** No colour, collapse at 5, everything. */
    public static RenderOptions plain() {
        return new RenderOptions(false, 5, "", 64, true);
    }

    /**
     * Colour when standard output is a terminal, unless {@code NO_COLOR} is set (https://no-color.org) or
     * {@code TERM} is {@code dumb}.
     */
    public static RenderOptions forTerminal() {
        boolean tty = System.console() != null;
        String noColor = System.getenv("NO_COLOR");
        boolean dumb = "dumb".equals(System.getenv("TERM"));
        return plain().withColor(tty && (noColor == null || noColor.isEmpty()) && !dumb);
    }

    public RenderOptions withColor(boolean on) {
        return new RenderOptions(on, collapseAt, pathPrefix, maxDepth, system);
    }

    /** Draws every sibling, collapsing none. */
    public RenderOptions expanded() {
        return new RenderOptions(color, 0, pathPrefix, maxDepth, system);
    }

    public RenderOptions withCollapseAt(int n) {
        return new RenderOptions(color, n, pathPrefix, maxDepth, system);
    }

    public RenderOptions withPathPrefix(String prefix) {
        return new RenderOptions(color, collapseAt, prefix, maxDepth, system);
    }

    public RenderOptions withMaxDepth(int depth) {
        return new RenderOptions(color, collapseAt, pathPrefix, depth, system);
    }

    public RenderOptions withSystem(boolean on) {
        return new RenderOptions(color, collapseAt, pathPrefix, maxDepth, on);
    }
}
