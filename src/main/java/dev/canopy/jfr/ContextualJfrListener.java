package dev.canopy.jfr;

import dev.canopy.Context;
import dev.canopy.spi.TreeListener;

/**
 * The {@code dev.canopy.ContextScope} event around each scope, on JDK 25 and later ({@link ContextScopeEvents}). A
 * listener of its own, overriding only the scope methods, because the tree decides from a listener's class whether it
 * wants scope calls: {@link JfrListener} adds it to a tree only while a recording with the event runs, so the rest of
 * the time {@code makeCurrent()}, wrapped calls and task bodies pay nothing for JFR.
 */
final class ContextualJfrListener implements TreeListener {
    @Override
    public Object scopeEntered(Context context) {
        return ContextScopeEvents.begin();
    }

    @Override
    public void scopeExited(Context context, Object attachment) {
        ContextScopeEvents.end(context, attachment);
    }
}
