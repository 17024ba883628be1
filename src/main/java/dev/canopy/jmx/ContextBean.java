package dev.canopy.jmx;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.canopy.Cancellation;
import dev.canopy.Context;
import dev.canopy.ContextTree;
import dev.canopy.internal.Durations;
import dev.canopy.status.RenderOptions;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One context's MBean. It holds the context weakly: a registered context its owner dropped can still be collected
 * and reported as a leak; the next scan removes the bean.
 */
final class ContextBean implements ContextMXBean {
    private final ContextTree tree;
    private final JmxPolicy policy;

    private final java.lang.ref.WeakReference<Context> ref;

    ContextBean(Context c, ContextTree tree, JmxPolicy policy) {
        this.ref = new java.lang.ref.WeakReference<>(c);
        this.tree = tree;
        this.policy = policy;
    }

    /** The context, or an error JMX clients show if it was collected before the scan removed this bean. */
    private Context c() {
        Context c = ref.get();
        if (c == null) {
            throw new IllegalStateException("this context has been garbage-collected; its bean goes at the next scan");
        }
        return c;
    }

    @Override
    public String getName() {
        return c().name();
    }

    @Override
    public String getPath() {
        return c().path();
    }

    @Override
    public long getId() {
        return c().id();
    }

    @Override
    public String getState() {
        return c().state().name();
    }

    @Override
    public long getDurationMillis() {
        return c().duration().toMillis();
    }

    @Override
    public long getIdleMillis() {
        return c().idleDuration().toMillis();
    }

    @Override
    public String getDeadline() {
        return c().deadline().map(Object::toString).orElse("");
    }

    @Override
    public long getTimeLeftMillis() {
        return c().timeLeft().map(Duration::toMillis).orElse(-1L);
    }

    @Override
    public String getCancelReason() {
        return c().cancellation().map(Cancellation::reason).orElse("");
    }

    @Override
    public String getCurrentOperation() {
        return c().currentOperation().map(o -> o.name() + " (" + Durations.human(o.duration()) + ")").orElse("");
    }

    @Override
    public String getData() {
        // one JSON object: the values are JSON text already
        StringBuilder b = new StringBuilder("{");
        c().dataJson().forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"')
                .append(JsonStringEncoder.getInstance().quoteAsString(k)).append("\":").append(v));
        return b.append('}').toString();
    }

    @Override
    public Map<String, String> getMetrics() {
        Map<String, String> out = new LinkedHashMap<>();
        c().metrics().forEach((k, v) -> out.put(k, v.display()));
        return out;
    }

    @Override
    public Map<String, Long> getCounterTotals() {
        Map<String, Long> out = new LinkedHashMap<>();
        tree.counters().snapshot(c().path()).stream().filter(s -> s.path().equals(c().path()))
                .forEach(s -> out.put(s.counter(), s.total()));
        return out;
    }

    @Override
    public Map<String, Long> getCounterLive() {
        Map<String, Long> out = new LinkedHashMap<>();
        tree.counters().snapshot(c().path()).stream().filter(s -> s.path().equals(c().path()))
                .forEach(s -> out.put(s.counter(), s.live()));
        return out;
    }

    @Override
    public String[] getHeldLocks() {
        return c().heldLocks().stream().map(h -> "\"" + h.lockName() + "\" " + h.mode() + " held "
                + Durations.human(h.held())).toArray(String[]::new);
    }

    @Override
    public String[] getAwaitedLocks() {
        return c().awaitedLocks().stream().map(w -> "\"" + w.lockName() + "\" " + w.mode() + " waiting "
                + Durations.human(w.waiting())).toArray(String[]::new);
    }

    @Override
    public int getChildCount() {
        return c().children().size();
    }

    @Override
    public String status() {
        return tree.status().render(RenderOptions.plain().withPathPrefix(c().path()));
    }

    @Override
    public void cancel(String reason) {
        if (policy.readOnly()) {
            throw new UnsupportedOperationException("this tree's JMX is read-only");
        }
        c().cancel(reason == null || reason.isBlank() ? "cancelled over JMX" : reason);
    }
}
