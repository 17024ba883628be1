package dev.canopy.jfr;

import dev.canopy.Context;

/**
 * {@link JfrListener} plus the {@code dev.canopy.ContextScope} event around each scope, on JDK 25 and later
 * ({@link ContextScopeEvents}). A class of its own because the tree decides from a listener's class whether it wants
 * scope calls: on older JDKs the plain {@link JfrListener} overrides no scope method, so {@code makeCurrent()}, wrapped
 * calls and task bodies pay nothing for JFR there.
 */
final class ContextualJfrListener extends JfrListener {
    @Override
    public Object scopeEntered(Context context) {
        return ContextScopeEvents.begin();
    }

    @Override
    public void scopeExited(Context context, Object attachment) {
        ContextScopeEvents.end(context, attachment);
    }
}
