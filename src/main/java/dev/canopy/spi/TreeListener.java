package dev.canopy.spi;

import dev.canopy.Cancellation;
import dev.canopy.Context;
import dev.canopy.ContextState;
import dev.canopy.ContextTree;
import dev.canopy.LockMode;
import dev.canopy.status.Deadlock;
import dev.canopy.status.LeakedContext;

/**
 * Told what happens in a {@link ContextTree}: the one interface through which the tree reaches its surfaces. JFR
 * events, JMX beans and notifications, and exports to other systems are listeners; the tree knows none of them.
 *
 * <p>Every method does nothing by default, and the tree only calls the kinds of method a listener overrides: a
 * listener of contexts alone adds nothing to lock acquisition, and a tree without listeners pays one branch per
 * event. Methods run on the thread where the event happens, often on a hot path (a child opened, a lock released):
 * keep them cheap and non-blocking, and hand slow work to a thread of your own. A listener that throws is logged
 * once and otherwise ignored; it never breaks the tree.
 *
 * <h2>Attachments</h2>
 * The {@code ...Started} and {@code ...Entered} methods may return an object, the <em>attachment</em>, which the
 * tree keeps with the context, hold, wait or scope and hands back to the matching {@code ...Ended} or
 * {@code ...Exited} call (a JFR event begun at the start, a span). So a listener keeps per-context state without a
 * map. {@link #contextStarted} also receives the attachment this listener returned for the parent.
 *
 * <p>Add a listener with {@link ContextTree.Builder#listener} or {@link ContextTree#addListener}. Stable: new
 * methods may be added, always with a default.
 */
public interface TreeListener {

    /** The listener joined {@code tree}: at the tree's creation (after its root exists) or when added later. */
    default void attached(ContextTree tree) {
    }

    /** The listener left {@code tree}: removed, or the tree closed (after its root ended). */
    default void detached(ContextTree tree) {
    }

    /**
     * A context was created (the root included): told just before it joins its parent, so that nothing else of it
     * (its cancel, its end) is heard before this. Should the parent refuse it then (the parent ended meanwhile),
     * {@link #contextEnded} follows at once, as cancelled, and its creator gets the exception.
     *
     * @param parentAttachment what this listener returned for the parent, or {@code null} (for the root, or a parent
     *                         created before this listener joined)
     * @return an attachment handed back to {@link #contextEnded}, or {@code null}
     */
    default Object contextStarted(Context context, Object parentAttachment) {
        return null;
    }

    /**
     * A context ended: closed, failed, cancelled, or its task returned. It may still wait for children before it
     * leaves the tree.
     */
    default void contextEnded(Context context, Object attachment, ContextState outcome, Throwable failure) {
    }

    /** A cancel reached {@code context} and newly cancelled {@code subtreeSize} contexts (it included). */
    default void contextCancelled(Context context, Cancellation cancellation, int subtreeSize) {
    }

    /**
     * Code starts running with {@code context} current on this thread: a {@link Context#makeCurrent()} scope, a
     * {@link Context#wrap wrapped} call or a task's body. The tree calls {@link #scopeEntered(Context, Object)},
     * which calls this one unless overridden: override whichever you need.
     *
     * @return an attachment handed back to {@link #scopeExited}, or {@code null}
     */
    default Object scopeEntered(Context context) {
        return null;
    }

    /**
     * As {@link #scopeEntered(Context)}, with what this listener returned from {@link #contextStarted} for
     * {@code context} ({@code null} when it returned nothing, or joined the tree after the context was created):
     * a listener that made a span of the context makes that span current for the scope, say. The lookup is made
     * only for listeners that override this method.
     *
     * @return an attachment handed back to {@link #scopeExited}, or {@code null}
     */
    default Object scopeEntered(Context context, Object contextAttachment) {
        return scopeEntered(context);
    }

    /** The scope that {@link #scopeEntered} announced ended, on the same thread. */
    default void scopeExited(Context context, Object attachment) {
    }

    /**
     * {@code waiter} starts waiting for a named lock; called on the waiting thread. Only waits that outlast a first
     * 50 µs in the lock's queue are announced: shorter ones are too many and too short to matter. On a fair lock, and
     * for a timed acquisition of 50 µs or less, every wait is.
     *
     * @return an attachment handed back to {@link #lockWaitEnded}, or {@code null}
     */
    default Object lockWaitStarted(LockView lock, Context waiter, LockMode mode, int permits) {
        return null;
    }

    /**
     * The wait ended, on the waiting thread: {@code acquired} is false when it timed out, was cancelled or was
     * interrupted.
     */
    default void lockWaitEnded(LockView lock, Context waiter, LockMode mode, int permits, Object attachment,
                               boolean acquired) {
    }

    /**
     * Whether this listener wants to hear of a lock hold starting now: asked on every first acquisition of a named
     * lock, so it must be cheap (a field read), and asked only of listeners that override {@link #lockHoldStarted}
     * or {@link #lockHoldEnded} (one that hears no holds wants none). When no listener of the tree wants it, neither
     * method is called for that hold; when one does, every listener hears of it. A listener that records holds only
     * at times (the JFR listener, while a recording has the event enabled) answers accordingly, so a lock costs
     * nothing extra the rest of the time.
     */
    default boolean wantsLockHolds() {
        return true;
    }

    /**
     * {@code holder} acquired a named lock (a reentrant or growing hold is announced once).
     *
     * @return an attachment handed back to {@link #lockHoldEnded}, or {@code null}
     */
    default Object lockHoldStarted(LockView lock, Context holder, LockMode mode) {
        return null;
    }

    /** The hold ended. Called after the lock was released, outside its critical section. */
    default void lockHoldEnded(LockView lock, Context holder, LockMode mode, Object attachment) {
    }

    /**
     * An idle lock of an ended context left the tree's registry: its numbers are final unless it is used again, when
     * it comes back and is listed again. Called on the thread that looked at the registry (a status, a JMX read or
     * scan), never on a thread that locks. Lets a surface keep counting locks made per request, which may come and go
     * between two of its own looks.
     */
    default void lockRetired(LockView lock) {
    }

    /** A context made by {@code open()} was garbage-collected without being closed. */
    default void contextLeaked(LeakedContext leak) {
    }

    /** The deadlock watchdog found a new cycle. Called on the watchdog's thread. */
    default void deadlockFound(Deadlock deadlock) {
    }
}
