package dev.canopy;

import dev.canopy.spi.LockView;
import dev.canopy.spi.TreeListener;
import dev.canopy.status.Deadlock;
import dev.canopy.status.LeakedContext;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The listeners of one tree, immutable: adding or removing one builds a new chain. A context keeps the chain it was
 * created under with its attachment, so its end reaches the same listeners, and the attachment's layout (one object,
 * or an array with a slot per listener) always matches.
 *
 * <p>The {@code wants...} flags say whether any listener overrides a kind of method; the core tests them before
 * calling, so an empty chain, or one whose listeners ignore locks, costs one branch on those paths.
 */
final class ListenerChain {
    static final ListenerChain EMPTY = new ListenerChain(new TreeListener[0]);
    private static final System.Logger LOG = System.getLogger(ListenerChain.class.getName());
    /** Listeners whose failure was logged already: each is logged once. */
    private static final Set<TreeListener> LOGGED = ConcurrentHashMap.newKeySet();

    final TreeListener[] listeners;
    final boolean wantsContexts;
    final boolean wantsCancels;
    final boolean wantsScopes;
    /** Whether a listener reads, on entering a scope, what it attached to the context: only then is it looked up. */
    private final boolean scopesWantContextAttachment;
    final boolean wantsLocks;
    final boolean wantsLeaks;
    final boolean wantsDeadlocks;
    final boolean wantsRetiredLocks;
    /**
     * The listeners that hear lock holds (override {@code lockHoldStarted} or {@code lockHoldEnded}): only they are
     * asked whether they want one. A listener that hears no holds wants none, whatever its default answer says.
     */
    private final TreeListener[] holdListeners;
    /**
     * The hold listener when there is exactly one (the JFR listener, in most trees): asked on every first
     * acquisition, so it is read without going through the array.
     */
    private final TreeListener onlyHoldListener;

    private ListenerChain(TreeListener[] listeners) {
        this.listeners = listeners;
        this.wantsContexts = any("contextStarted", Context.class, Object.class)
                || any("contextEnded", Context.class, Object.class, ContextState.class, Throwable.class);
        this.wantsCancels = any("contextCancelled", Context.class, Cancellation.class, int.class);
        this.scopesWantContextAttachment = any("scopeEntered", Context.class, Object.class);
        this.wantsScopes = scopesWantContextAttachment || any("scopeEntered", Context.class)
                || any("scopeExited", Context.class, Object.class);
        this.wantsLocks = any("lockWaitStarted", LockView.class, Context.class, LockMode.class, int.class)
                || any("lockWaitEnded", LockView.class, Context.class, LockMode.class, int.class, Object.class,
                boolean.class)
                || any("lockHoldStarted", LockView.class, Context.class, LockMode.class)
                || any("lockHoldEnded", LockView.class, Context.class, LockMode.class, Object.class);
        this.wantsLeaks = any("contextLeaked", LeakedContext.class);
        this.wantsDeadlocks = any("deadlockFound", Deadlock.class);
        this.wantsRetiredLocks = any("lockRetired", LockView.class);
        this.holdListeners = Arrays.stream(listeners)
                .filter(l -> overrides(l, "lockHoldStarted", LockView.class, Context.class, LockMode.class)
                        || overrides(l, "lockHoldEnded", LockView.class, Context.class, LockMode.class, Object.class))
                .toArray(TreeListener[]::new);
        this.onlyHoldListener = holdListeners.length == 1 ? holdListeners[0] : null;
    }

    private boolean any(String method, Class<?>... parameters) {
        for (TreeListener l : listeners) {
            if (overrides(l, method, parameters)) {
                return true;
            }
        }
        return false;
    }

    private static boolean overrides(TreeListener l, String method, Class<?>... parameters) {
        try {
            return l.getClass().getMethod(method, parameters).getDeclaringClass() != TreeListener.class;
        } catch (NoSuchMethodException e) {
            throw new AssertionError("TreeListener." + method, e);
        }
    }

    ListenerChain with(TreeListener listener) {
        TreeListener[] more = Arrays.copyOf(listeners, listeners.length + 1);
        more[listeners.length] = listener;
        return new ListenerChain(more);
    }

    ListenerChain without(TreeListener listener) {
        int i = indexOf(listener);
        if (i < 0) {
            return this;
        }
        TreeListener[] fewer = new TreeListener[listeners.length - 1];
        System.arraycopy(listeners, 0, fewer, 0, i);
        System.arraycopy(listeners, i + 1, fewer, i, fewer.length - i);
        return fewer.length == 0 ? EMPTY : new ListenerChain(fewer);
    }

    boolean contains(Class<?> type) {
        for (TreeListener l : listeners) {
            if (l.getClass() == type) {
                return true;
            }
        }
        return false;
    }

    private int indexOf(TreeListener listener) {
        for (int i = 0; i < listeners.length; i++) {
            if (listeners[i] == listener) {
                return i;
            }
        }
        return -1;
    }

    /** Listener {@code i}'s part of an attachment made by this chain. */
    private Object slot(Object attachment, int i) {
        if (listeners.length == 1 || attachment == null) {
            return listeners.length == 1 ? attachment : null;
        }
        return ((Object[]) attachment)[i];
    }

    /** What listener {@code i} of this chain returned for {@code parent}, which may belong to another chain. */
    private Object parentAttachment(Context parent, int i) {
        return returnedFor(parent, i);
    }

    /**
     * What listener {@code i} of this chain returned from {@code contextStarted} for {@code context}, whose chain may
     * be another (the listener joined or others left since): null when it was not in that chain.
     */
    private Object returnedFor(Context context, int i) {
        Object kept = context == null ? null : context.listenerState;
        if (kept == null) {
            return null;
        }
        ListenerChain pc = chainOf(kept);
        if (pc == this) {
            return slot(attachmentOf(kept), i);
        }
        int j = pc.indexOf(listeners[i]);
        return j < 0 ? null : pc.slot(attachmentOf(kept), j);
    }

    // ------------------------------------------------------------------ what a context keeps

    /** A chain with what its listeners attached to one context. */
    private record Attached(ListenerChain chain, Object attachment) {
    }

    /**
     * What a context keeps of its listeners, in one field: the chain itself when nothing was attached (the common
     * case: JFR not recording), so a plain context pays a reference and no allocation; else chain and attachment.
     */
    static Object keep(ListenerChain chain, Object attachment) {
        return attachment == null ? chain : new Attached(chain, attachment);
    }

    static ListenerChain chainOf(Object kept) {
        return kept instanceof Attached a ? a.chain : (ListenerChain) kept;
    }

    static Object attachmentOf(Object kept) {
        return kept instanceof Attached a ? a.attachment : null;
    }

    static void failed(TreeListener l, String method, Throwable e) {
        if (LOGGED.add(l)) {
            LOG.log(System.Logger.Level.WARNING, "tree listener " + l.getClass().getName() + " threw from " + method
                    + "; the tree went on (further failures of this listener are not logged)", e);
        }
    }

    // ------------------------------------------------------------------ contexts

    /** The attachment for a new context: the listener's own with one listener, else an array (or null). */
    Object contextStarted(Context context) {
        TreeListener[] ls = listeners;
        if (ls.length == 1) {
            return started(ls[0], context, parentAttachment(context.parentOrNull(), 0));
        }
        Object[] out = null;
        for (int i = 0; i < ls.length; i++) {
            Object a = started(ls[i], context, parentAttachment(context.parentOrNull(), i));
            if (a != null) {
                if (out == null) {
                    out = new Object[ls.length];
                }
                out[i] = a;
            }
        }
        return out;
    }

    private static Object started(TreeListener l, Context context, Object parentAttachment) {
        try {
            return l.contextStarted(context, parentAttachment);
        } catch (RuntimeException | Error e) {
            failed(l, "contextStarted", e);
            return null;
        }
    }

    void contextEnded(Context context, Object attachment, ContextState outcome, Throwable failure) {
        TreeListener[] ls = listeners;
        for (int i = 0; i < ls.length; i++) {
            try {
                ls[i].contextEnded(context, slot(attachment, i), outcome, failure);
            } catch (RuntimeException | Error e) {
                failed(ls[i], "contextEnded", e);
            }
        }
    }

    void contextCancelled(Context context, Cancellation cancellation, int subtreeSize) {
        for (TreeListener l : listeners) {
            try {
                l.contextCancelled(context, cancellation, subtreeSize);
            } catch (RuntimeException | Error e) {
                failed(l, "contextCancelled", e);
            }
        }
    }

    // ------------------------------------------------------------------ scopes

    Object scopeEntered(Context context) {
        TreeListener[] ls = listeners;
        if (ls.length == 1) {
            try {
                return ls[0].scopeEntered(context, scopesWantContextAttachment ? returnedFor(context, 0) : null);
            } catch (RuntimeException | Error e) {
                failed(ls[0], "scopeEntered", e);
                return null;
            }
        }
        Object[] out = null;
        for (int i = 0; i < ls.length; i++) {
            try {
                Object a = ls[i].scopeEntered(context, scopesWantContextAttachment ? returnedFor(context, i) : null);
                if (a != null) {
                    if (out == null) {
                        out = new Object[ls.length];
                    }
                    out[i] = a;
                }
            } catch (RuntimeException | Error e) {
                failed(ls[i], "scopeEntered", e);
            }
        }
        return out;
    }

    void scopeExited(Context context, Object attachment) {
        TreeListener[] ls = listeners;
        for (int i = ls.length - 1; i >= 0; i--) { // innermost last in, first out
            try {
                ls[i].scopeExited(context, slot(attachment, i));
            } catch (RuntimeException | Error e) {
                failed(ls[i], "scopeExited", e);
            }
        }
    }

    // ------------------------------------------------------------------ locks

    Object lockWaitStarted(LockView lock, Context waiter, LockMode mode, int permits) {
        TreeListener[] ls = listeners;
        Object[] out = null;
        Object single = null;
        for (int i = 0; i < ls.length; i++) {
            try {
                Object a = ls[i].lockWaitStarted(lock, waiter, mode, permits);
                if (ls.length == 1) {
                    single = a;
                } else if (a != null) {
                    if (out == null) {
                        out = new Object[ls.length];
                    }
                    out[i] = a;
                }
            } catch (RuntimeException | Error e) {
                failed(ls[i], "lockWaitStarted", e);
            }
        }
        return ls.length == 1 ? single : out;
    }

    void lockWaitEnded(LockView lock, Context waiter, LockMode mode, int permits, Object attachment,
                       boolean acquired) {
        TreeListener[] ls = listeners;
        for (int i = 0; i < ls.length; i++) {
            try {
                ls[i].lockWaitEnded(lock, waiter, mode, permits, slot(attachment, i), acquired);
            } catch (RuntimeException | Error e) {
                failed(ls[i], "lockWaitEnded", e);
            }
        }
    }

    /** Whether a hold starting now is announced: some listener that hears holds wants this one. */
    boolean wantsLockHoldNow() {
        // asked on every first acquisition: with one hold listener, walking the array was most of the question's
        // cost (0.75 ns of a 17 ns read lock/unlock, JDK 17)
        TreeListener only = onlyHoldListener;
        if (only != null) {
            return wantsLockHolds(only);
        }
        for (TreeListener l : holdListeners) {
            if (wantsLockHolds(l)) {
                return true;
            }
        }
        return false;
    }

    private static boolean wantsLockHolds(TreeListener l) {
        try {
            return l.wantsLockHolds();
        } catch (RuntimeException | Error e) {
            failed(l, "wantsLockHolds", e);
            return true; // a listener that cannot say is told, as it was before it was asked
        }
    }

    /**
     * Tells the hold listeners of a hold; returns what they attached. Only the hold listeners are called, and the
     * attachment's layout follows them: with one, its own attachment; with more, null or an array with a slot per
     * hold listener. So a tree with one hold listener among others (the JFR listener beside the JMX exporter or the
     * contextual scope listener) allocates nothing of its own per hold.
     */
    Object lockHoldStarted(LockView lock, Context holder, LockMode mode) {
        TreeListener only = onlyHoldListener;
        if (only != null) {
            try {
                return only.lockHoldStarted(lock, holder, mode);
            } catch (RuntimeException | Error e) {
                failed(only, "lockHoldStarted", e);
                return null;
            }
        }
        TreeListener[] ls = holdListeners;
        Object[] out = null;
        for (int i = 0; i < ls.length; i++) {
            try {
                Object a = ls[i].lockHoldStarted(lock, holder, mode);
                if (a != null) {
                    if (out == null) {
                        out = new Object[ls.length];
                    }
                    out[i] = a;
                }
            } catch (RuntimeException | Error e) {
                failed(ls[i], "lockHoldStarted", e);
            }
        }
        return out;
    }

    /** Tells the hold listeners that a hold whose start this chain announced ended. */
    void lockHoldEnded(LockView lock, Context holder, LockMode mode, Object attachment) {
        TreeListener only = onlyHoldListener;
        if (only != null) {
            try {
                only.lockHoldEnded(lock, holder, mode, attachment);
            } catch (RuntimeException | Error e) {
                failed(only, "lockHoldEnded", e);
            }
            return;
        }
        TreeListener[] ls = holdListeners;
        Object[] parts = (Object[]) attachment;
        for (int i = 0; i < ls.length; i++) {
            try {
                ls[i].lockHoldEnded(lock, holder, mode, parts == null ? null : parts[i]);
            } catch (RuntimeException | Error e) {
                failed(ls[i], "lockHoldEnded", e);
            }
        }
    }

    // ------------------------------------------------------------------ rare events

    void contextLeaked(LeakedContext leak) {
        for (TreeListener l : listeners) {
            try {
                l.contextLeaked(leak);
            } catch (RuntimeException | Error e) {
                failed(l, "contextLeaked", e);
            }
        }
    }

    void lockRetired(LockView lock) {
        for (TreeListener l : listeners) {
            try {
                l.lockRetired(lock);
            } catch (RuntimeException | Error e) {
                failed(l, "lockRetired", e);
            }
        }
    }

    void deadlockFound(Deadlock deadlock) {
        for (TreeListener l : listeners) {
            try {
                l.deadlockFound(deadlock);
            } catch (RuntimeException | Error e) {
                failed(l, "deadlockFound", e);
            }
        }
    }
}
