package dev.canopy.jfr;

import dev.canopy.Context;

import jdk.jfr.AnnotationElement;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventFactory;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.ValueDescriptor;

import java.lang.annotation.Annotation;
import java.util.List;

/**
 * The {@code dev.canopy.ContextScope} event (JDK 25 and later): a duration event around each scope in which a context
 * is current, whose {@code contextId} and {@code path} carry {@code @jdk.jfr.Contextual}. While it is in progress,
 * tools show those fields as the context of every other event of the same thread ({@code jfr print} writes
 * {@code Context: ContextScope.path = "…"} into a {@code jdk.ThreadSleep}, {@code jdk.JavaMonitorEnter},
 * {@code jdk.SocketRead} …), so a recording says which request a socket read or a monitor wait belonged to.
 *
 * <p>The library compiles for Java 17, which has no {@code jdk.jfr.Contextual}: the type is built at run time with
 * {@link EventFactory}, the annotation found by name. Two moments, because building any JFR metadata (even one
 * {@link AnnotationElement}) initialises JFR's type library, about 90 ms that a JVM which never records should not pay:
 * <ul>
 *   <li>{@link #SUPPORTED}, when the first tree is made: only whether the annotation class exists. It decides whether
 *   trees may hear of scopes at all ({@link ContextualJfrListener}, added while a recording has the event
 *   enabled); before JDK 25 they never do, and the tree keeps skipping scope calls.</li>
 *   <li>{@link #register()}, once a flight recorder initialises (JFR is paying its own start-up then): the type is
 *   built and registered. Until then, or if building fails, scopes cost a volatile read and emit nothing.</li>
 * </ul>
 *
 * <p>How the context reaches other events: the recording holds the committed scope event with its start, duration
 * and thread, and a reader treats its contextual fields as the context of the thread's events that end within it.
 * So the fields are set at the end, after {@code shouldCommit()}, like every Canopy event's: a scope shorter than the
 * threshold costs a begin and an end, never a path string. The flip side: events inside a scope shorter than the
 * threshold (10 ms in {@code canopy.jfc}, 0 in {@code canopy-debug.jfc}) get no context.
 */
final class ContextScopeEvents {
    private static final System.Logger LOG = System.getLogger(ContextScopeEvents.class.getName());
    /** {@code jdk.jfr.Contextual}, or null before JDK 25. */
    private static final Class<? extends Annotation> CONTEXTUAL = contextualAnnotation();
    /** Whether this JDK can carry context on events: the JFR listener overrides the scope methods only then. */
    static final boolean SUPPORTED = CONTEXTUAL != null;
    // field indices for Event.set, in the order of the descriptors below
    private static final int CONTEXT_ID = 0;
    private static final int PATH = 1;

    /** The built type and a probe for {@code isEnabled()}: one volatile read per scope. */
    private record Built(EventFactory factory, Event probe) {
    }

    private static volatile Built built;

    private ContextScopeEvents() {
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Annotation> contextualAnnotation() {
        try {
            Class<?> c = Class.forName("jdk.jfr.Contextual", false, Event.class.getClassLoader());
            return c.isAnnotation() ? (Class<? extends Annotation>) c : null;
        } catch (ClassNotFoundException | LinkageError e) {
            return null; // JDK 17-24
        }
    }

    /** Builds and registers the type; called once, when a flight recorder initialises. */
    static void register() {
        if (!SUPPORTED || built != null) {
            return;
        }
        try {
            AnnotationElement contextual = new AnnotationElement(CONTEXTUAL);
            List<ValueDescriptor> fields = List.of(
                    new ValueDescriptor(long.class, "contextId", List.of(
                            new AnnotationElement(Label.class, "Context Id"),
                            new AnnotationElement(JfrEvents.ContextId.class),
                            contextual)),
                    new ValueDescriptor(String.class, "path", List.of(
                            new AnnotationElement(Label.class, "Path"),
                            contextual)));
            List<AnnotationElement> type = List.of(
                    new AnnotationElement(Name.class, EventNames.CONTEXT_SCOPE),
                    new AnnotationElement(Label.class, "Context Scope"),
                    new AnnotationElement(Description.class, "Code ran with this context current: a makeCurrent() "
                            + "scope, a wrapped call or a task's body. Its context id and path are the context of "
                            + "every event of the thread within it"),
                    new AnnotationElement(Category.class, new String[] {"Canopy", "Contexts"}),
                    new AnnotationElement(StackTrace.class, false),
                    // the default when no template names the event, as in canopy.jfc: a scope of under 10 ms is
                    // rarely where a wait worth explaining hides
                    new AnnotationElement(Threshold.class, "10 ms"));
            EventFactory factory = EventFactory.create(type, fields); // also registers it
            built = new Built(factory, factory.newEvent());
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "Canopy could not build its JFR event " + EventNames.CONTEXT_SCOPE
                    + "; recordings will not show contexts on the JDK's events", e);
        }
    }

    /** Whether a running recording has the event enabled (false until the type is built). */
    static boolean isEnabled() {
        Built b = built;
        return b != null && b.probe.isEnabled();
    }

    /** A scope begins: the event begun, or null when nothing records it. */
    static Object begin() {
        Built b = built;
        if (b == null || !b.probe.isEnabled()) {
            return null;
        }
        Event e = b.factory.newEvent();
        e.begin();
        return e;
    }

    /** The scope that {@link #begin()} announced ends. */
    static void end(Context context, Object attachment) {
        if (!(attachment instanceof Event e)) {
            return;
        }
        e.end();
        if (e.shouldCommit()) {
            e.set(CONTEXT_ID, context.id());
            e.set(PATH, context.path());
            e.commit();
        }
    }
}
