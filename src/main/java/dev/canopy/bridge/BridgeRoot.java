package dev.canopy.bridge;

import dev.canopy.Canopy;
import dev.canopy.Context;
import dev.canopy.ContextState;
import dev.canopy.ContextTree;
import dev.canopy.LiveData;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a bridge puts work that brings no parent of its own (an observation without a parent observation, a span
 * without a local parent span): under the code's current Canopy context when it has one in the bridge's tree, or
 * else under a configured context such as {@code global.observations}.
 *
 * <p>The configured context is looked up by path among the live contexts (so an application may name one of its
 * own services) or else opened by the bridge and kept open: a long-lived parent, like a service's context. If it is
 * cancelled (say by {@code canopy cancel}), what runs under it is cancelled and the next work gets a fresh one.
 */
public final class BridgeRoot {
    private final ContextTree tree;
    private final String path;
    private final String[] segments;
    /** Whether a current context of another tree (a JUnit test's) is a parent too: see {@link #followingCurrentTree}. */
    private final boolean followsCurrentTree;
    /** The contexts this bridge opened for the path, outermost first: ours to close when replaced. */
    private final List<Context> opened = new ArrayList<>();
    private volatile Context context;

    /**
     * @param path a dotted path starting with the tree's root name, e.g. {@code global.observations}; the root's
     *             own name puts such work directly under the root
     * @throws IllegalArgumentException if the path does not start at the tree's root or a segment is not a valid
     *                                  context name (the message shows the path)
     */
    public BridgeRoot(ContextTree tree, String path) {
        this(tree, path, false);
    }

    /**
     * A root for a bridge made without a tree (a handler's no-argument constructor, which means "the default tree"):
     * work that brings no parent goes under the current context whatever its tree, so a JUnit test's tree (whose root
     * the extension makes current) gets the observations and spans its code starts, and checks them for leaks. Only
     * when nothing is current does it go under {@code path} in {@code tree}.
     */
    public static BridgeRoot followingCurrentTree(ContextTree tree, String path) {
        return new BridgeRoot(tree, path, true);
    }

    /** The same kind of root (following the current tree or not) at another path of the same tree. */
    public BridgeRoot at(String path) {
        return new BridgeRoot(tree, path, followsCurrentTree);
    }

    private BridgeRoot(ContextTree tree, String path, boolean followsCurrentTree) {
        this.followsCurrentTree = followsCurrentTree;
        this.tree = Objects.requireNonNull(tree, "tree");
        this.path = Objects.requireNonNull(path, "path");
        String rootName = tree.root().name();
        String[] parts = path.split("\\.", -1);
        if (!parts[0].equals(rootName)) {
            throw new IllegalArgumentException("bridge root \"" + shown(path) + "\" must be a path starting at the "
                    + "tree's root \"" + rootName + "\", such as \"" + rootName + ".observations\"");
        }
        for (int i = 1; i < parts.length; i++) {
            if (!ForeignNames.isUsableKey(parts[i])) {
                throw new IllegalArgumentException("bridge root \"" + shown(path) + "\" has an invalid segment "
                        + "at position " + i + ": \"" + shown(parts[i]) + "\" (empty, blank, too long or with "
                        + "control characters)");
            }
        }
        this.segments = java.util.Arrays.copyOfRange(parts, 1, parts.length);
    }

    private static String shown(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(120).forEach(c -> {
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04X", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    public ContextTree tree() {
        return tree;
    }

    /** The configured path. */
    public String path() {
        return path;
    }

    /**
     * The parent for work that brings none: {@link Canopy#current()} when that is a context of this tree other than
     * its root (the root is what {@code current()} returns when nothing is current), or, for a root
     * {@link #followingCurrentTree following the current tree}, a current context of another tree, its root included
     * (another tree's root is current only when made so); else the configured context.
     */
    public Context parentForOrphan() {
        Context current = Canopy.current();
        if (!current.isEnded() && (current.tree() == tree
                ? current != tree.root()
                : followsCurrentTree && current != Canopy.tree().root())) {
            return current;
        }
        return configured();
    }

    /** The configured context, opened on first use and replaced once cancelled or ended. */
    public Context configured() {
        Context c = context;
        return c != null && usable(c) ? c : resolve();
    }

    /**
     * Opens the child {@code name} under {@code parent}, its data read from {@code data} when shown; if
     * {@code parent} ended meanwhile (an asynchronous parent that stopped first), under the configured context
     * instead.
     */
    public Context open(Context parent, String name, LiveData data) {
        try {
            return parent.child(name).withLiveData(data).open();
        } catch (IllegalStateException parentEnded) {
            Context fallback = configured();
            if (fallback == parent) {
                throw parentEnded;
            }
            return fallback.child(name).withLiveData(data).open();
        }
    }

    /** While the tree itself is being cancelled (shutdown), keep what there is rather than open ever more. */
    private boolean usable(Context c) {
        return !c.isEnded() && (c.state() == ContextState.ACTIVE || tree.root().state() != ContextState.ACTIVE);
    }

    private synchronized Context resolve() {
        Context c = context;
        if (c != null && usable(c)) {
            return c;
        }
        for (int i = opened.size() - 1; i >= 0; i--) {
            Context mine = opened.get(i);
            if (!usable(mine)) {
                mine.close(); // a no-op when it already ended; a cancelled one leaves once its work has
                opened.remove(i);
            }
        }
        Context at = tree.root();
        for (String name : segments) {
            Context next = null;
            for (Context child : at.children()) {
                if (child.name().equals(name) && usable(child)) {
                    next = child;
                    break;
                }
            }
            if (next == null) {
                next = at.child(name).open();
                opened.add(next);
            }
            at = next;
        }
        context = at;
        return at;
    }

    /** Closes the contexts this bridge opened (work still under them is cancelled, as for any parent). */
    public synchronized void close() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        opened.clear();
        context = null;
    }
}
