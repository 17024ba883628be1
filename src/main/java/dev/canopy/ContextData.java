package dev.canopy;

import dev.canopy.internal.Names;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The first layer of {@link Context}: what a context carries for people to read (data, secrets and metrics) and
 * when it was last active. {@link Context} is built in layers, one responsibility to a file, each a package-private
 * abstract class whose public methods are {@code Context}'s own: {@code ContextData} → {@link ContextCounters} →
 * {@link ContextLocks} (named locks, operations) → {@link ContextScopes} (the current context) →
 * {@link ContextCancellation} (the cancellation state and its observers) → {@link Context} (identity, the tree,
 * cancelling, deadlines and ending: the lifecycle, whose concurrency protocol its class comment explains).
 *
 * <p>Everything here is independent of the lifecycle: maps that are safe to use from any thread, created on first
 * use in {@link ContextExtras} so a plain context stays small.
 */
abstract class ContextData {
    private static final long ACTIVITY_GRANULARITY_NANOS = 1_000_000L;
    /**
     * Stored for a key removed from a context with {@link LiveData}: the removal hides the live value as well.
     * Compared by identity, and no caller can obtain this instance, so it is never mistaken for data.
     */
    private static final JsonNode HIDDEN = new TextNode("(removed)");
    private static final VarHandle EXTRAS;
    private static final VarHandle LAST_ACTIVITY;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            EXTRAS = lookup.findVarHandle(ContextData.class, "extras", ContextExtras.class);
            LAST_ACTIVITY = lookup.findVarHandle(ContextData.class, "lastActivityNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ContextTree tree;
    /** Parts most contexts never use, allocated on first use to keep a plain context small. */
    volatile ContextExtras extras;
    volatile long lastActivityNanos;
    /** Set for contexts made by {@code open()}: how the parent holds this context (see {@link ChildLink}). */
    ChildLink link;

    ContextData(ContextTree tree, long createdNanos) {
        this.tree = tree;
        // a plain store: a volatile one would cost every new context a full fence, and the context reaches other
        // threads only through its parent's child set, whose lock publishes it
        LAST_ACTIVITY.set(this, createdNanos);
    }

    /** The dotted path from the root. */
    public abstract String path();

    final ContextExtras extras() {
        ContextExtras x = extras;
        if (x == null) {
            x = new ContextExtras();
            if (!EXTRAS.compareAndSet(this, null, x)) {
                x = extras;
            }
        }
        return x;
    }

    // ------------------------------------------------------------------ activity

    /** Records activity: the context is not idle. Spawning, data and metric updates record activity too. */
    public void touch() {
        lastActivityNanos = tree.contextNanos();
    }

    /** Time since the last activity (creation, {@link #touch()}, data or metric update). */
    public Duration idleDuration() {
        return Duration.ofNanos(Math.max(0, tree.contextNanos() - lastActivityNanos));
    }

    /**
     * Activity at a time already read from the clock. Skips the write when it would move the time by less than a
     * millisecond: many threads creating children of one parent would otherwise all write one cache line.
     */
    void touchAt(long nanos) {
        if (nanos - lastActivityNanos >= ACTIVITY_GRANULARITY_NANOS) {
            lastActivityNanos = nanos;
        }
    }

    // ------------------------------------------------------------------ data and metrics

    /**
     * Stores {@code value}, converted to JSON with Jackson (any object Jackson can serialise).
     * {@code null} removes the key. The conversion happens now, so later changes to the object are not seen.
     *
     * @throws IllegalArgumentException if the value cannot be converted (the message names the key)
     */
    public void setData(String key, Object value) {
        Names.checkKey("data key", key);
        if (value == null) {
            ContextExtras x = extras();
            if (x.liveData != null) {
                x.data().put(key, HIDDEN); // hides the live value too
            } else {
                x.data().remove(key);
            }
        } else {
            JsonNode node = Json.toNode(key, value);
            extras().data().put(key, node);
        }
        if (isSecret(key)) {
            indexSecret(key);
        }
        touch();
    }

    /**
     * Stores a secret: readable in this process with {@link #getData(String, Class)}, but shown everywhere else — status
     * text and JSON, JMX, recent completions — as {@value Json#REDACTED}. JFR events and logs never carry data.
     * Keys listed in {@link ContextTree.Builder#redactKeys} are treated the same whichever method set them.
     */
    public void setSecret(String key, Object value) {
        Names.checkKey("data key", key);
        extras().secretKeys().add(key);
        setData(key, value);
    }

    boolean isSecret(String key) {
        if (tree.isRedactedKey(key)) {
            return true;
        }
        ContextExtras x = extras;
        return x != null && x.secretKeys != null && x.secretKeys.contains(key);
    }

    /** Adds the texts of this context's own secret values to {@code out} (see {@link SecretTexts}). */
    void secretValues(java.util.List<String> out) {
        ContextExtras x = extras;
        if (x == null) {
            return;
        }
        ConcurrentHashMap<String, JsonNode> d = x.data;
        if (d != null) {
            d.forEach((k, v) -> {
                if (v != HIDDEN && isSecret(k)) {
                    SecretTexts.collect(v, out);
                }
            });
        }
        if (x.liveData != null) { // a span's or an observation's attribute under a redacted key is a secret too
            LiveDataReader.read(x.liveData, path(), (k, v) -> {
                if (isSecret(k)) {
                    SecretTexts.collect(v, out);
                }
            });
            LiveDataReader.readWithheld(x.liveData, path(), v -> SecretTexts.collect(v, out));
        }
    }

    /** Whether the context has ended and left the tree (see {@link Context#isEnded()}). */
    public abstract boolean isEnded();

    /**
     * Keeps the texts of the secret now stored under {@code key} (none once it is removed) in the tree's
     * {@link SecretIndex}, in place of the key's earlier ones, so that other contexts' failure messages are cleaned
     * of them too. The value is read under the monitor, so of two threads storing the key at once, the one indexing
     * second indexes what is stored last. A context that has left the tree keeps none there.
     */
    final void indexSecret(String key) {
        ContextExtras x = extras();
        synchronized (x) {
            if (x.secretsForgotten) {
                return;
            }
            ConcurrentHashMap<String, JsonNode> d = x.data;
            JsonNode node = d == null ? null : d.get(key);
            java.util.List<String> texts = node == null || node == HIDDEN ? java.util.List.of()
                    : SecretTexts.texts(node);
            java.util.Map<String, java.util.List<String>> indexed = x.indexedSecrets;
            java.util.List<String> earlier = indexed == null ? null : indexed.get(key);
            if (earlier == null && texts.isEmpty()) {
                return;
            }
            SecretIndex index = tree.secretIndex();
            texts.forEach(index::add); // before the earlier ones go: a text both hold is never missing meanwhile
            if (earlier != null) {
                earlier.forEach(index::remove);
            }
            if (indexed == null) {
                indexed = new java.util.HashMap<>(4);
            }
            if (texts.isEmpty()) {
                indexed.remove(key);
            } else {
                indexed.put(key, texts);
            }
            x.indexedSecrets = indexed; // a volatile write before the read below; the end reads it after its own
        }
        // The context may have left the tree meanwhile, its end not seeing these texts: each side writes (the end,
        // its phase; we, the texts) before it reads the other's, so at least one of them lets go of them.
        if (isEnded()) {
            forgetSecrets(x);
        }
    }

    /** Indexes the secrets given to the builder, once the context is in the tree (see {@link #indexSecret}). */
    final void indexSecretData() {
        ContextExtras x = extras;
        ConcurrentHashMap<String, JsonNode> d = x == null ? null : x.data;
        if (d != null) {
            d.keySet().forEach(k -> {
                if (isSecret(k)) {
                    indexSecret(k);
                }
            });
        }
    }

    /** Takes this context's secrets out of the tree's index, for good: it has left the tree. */
    final void forgetSecrets(ContextExtras x) {
        synchronized (x) {
            x.secretsForgotten = true;
            java.util.Map<String, java.util.List<String>> indexed = x.indexedSecrets;
            if (indexed != null) {
                SecretIndex index = tree.secretIndex();
                indexed.values().forEach(texts -> texts.forEach(index::remove));
                x.indexedSecrets = null;
            }
        }
    }

    void markSecret(String key) {
        extras().secretKeys().add(key);
    }

    void putDataNode(String key, JsonNode node) {
        extras().data().put(key, node);
    }

    /**
     * Called by the builder before the context is published, so a plain release store does: no other thread can
     * see the context yet, and publishing it (linking it into its parent) is a full fence.
     */
    void setLiveData(LiveData source) {
        ContextExtras x = extras;
        if (x == null) {
            x = new ContextExtras();
            x.liveData = source;
            EXTRAS.setRelease(this, x);
        } else {
            x.liveData = source;
        }
    }

    private JsonNode dataNode(String key) {
        Objects.requireNonNull(key, "key");
        ContextExtras x = extras;
        if (x == null) {
            return null;
        }
        ConcurrentHashMap<String, JsonNode> d = x.data;
        JsonNode stored = d == null ? null : d.get(key);
        if (stored == HIDDEN) {
            return null;
        }
        LiveData live = x.liveData;
        return stored != null || live == null ? stored : LiveDataReader.find(live, path(), key);
    }

    /**
     * The value stored under {@code key} as JSON text, e.g. {@code {"id":"alice","port":22}} or {@code "bash"}. A
     * secret's real value: this is the in-process read.
     */
    public Optional<String> getDataJson(String key) {
        JsonNode node = dataNode(key);
        return node == null ? Optional.empty() : Optional.of(node.toString());
    }

    /** The value stored under {@code key}, converted to {@code type} with Jackson. */
    public <T> Optional<T> getData(String key, Class<T> type) {
        Objects.requireNonNull(type, "type");
        JsonNode node = dataNode(key);
        if (node == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(Json.MAPPER.treeToValue(node, type));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // Jackson's message may quote the value: never for a secret
            String detail = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new IllegalArgumentException("data \"" + Names.escape(key) + "\" of " + path()
                    + " cannot be read as " + type.getName()
                    + (isSecret(key) ? " (a secret: details withheld)" : ": " + detail),
                    isSecret(key) ? null : e);
        }
    }

    /**
     * All data as it may be shown, sorted by key, each value as JSON text (a copy): secrets appear as
     * {@code "<redacted>"}. Read a secret's value with {@link #getDataJson(String)} or {@link #getData(String, Class)}.
     */
    public Map<String, String> dataJson() {
        ContextExtras x = extras;
        if (x == null) {
            return Map.of();
        }
        ConcurrentHashMap<String, JsonNode> d = x.data;
        LiveData live = x.liveData;
        if ((d == null || d.isEmpty()) && live == null) {
            return Map.of();
        }
        TreeMap<String, String> copy = new TreeMap<>();
        if (live != null) {
            LiveDataReader.read(live, path(), (k, v) -> copy.put(k, isSecret(k) ? Json.REDACTED_JSON : v.toString()));
        }
        if (d != null) {
            // stored data wins over a live value with the same key, and a removed key hides it
            d.forEach((k, v) -> {
                if (v == HIDDEN) {
                    copy.remove(k);
                } else {
                    copy.put(k, isSecret(k) ? Json.REDACTED_JSON : v.toString());
                }
            });
        }
        return Collections.unmodifiableMap(copy);
    }

    /** Sets (or replaces) a metric shown beside this context. */
    public void addMetric(String key, MetricValue value) {
        Names.checkKey("metric key", key);
        Objects.requireNonNull(value, "metric value");
        extras().metrics().put(key, value);
        touch();
    }

    /** The metric stored under {@code key}. */
    public Optional<MetricValue> getMetric(String key) {
        Objects.requireNonNull(key, "key");
        ContextExtras x = extras;
        ConcurrentHashMap<String, MetricValue> m = x == null ? null : x.metrics;
        return Optional.ofNullable(m == null ? null : m.get(key));
    }

    /** All metrics, sorted by key (a copy). */
    public Map<String, MetricValue> metrics() {
        ContextExtras x = extras;
        ConcurrentHashMap<String, MetricValue> m = x == null ? null : x.metrics;
        if (m == null || m.isEmpty()) {
            return Map.of();
        }
        return Collections.unmodifiableMap(new TreeMap<>(m));
    }
}
