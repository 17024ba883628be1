package dev.canopy;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The texts of the secrets stored by every context still in a tree, so that a failure message or a cancel reason is
 * cleaned of any of them, not only of its own context's and its ancestors': a request's exception that quotes the
 * database password its pool context keeps must not show it either.
 *
 * <p>Searching a message for each of thousands of values (a token per session) would cost a failure storm dearly,
 * so the texts are kept by their first {@value SecretTexts#MIN_LENGTH} characters, packed in a {@code long}: a
 * search looks up each position of the message once, and compares only the texts that start there. A text two
 * contexts hold is counted, and leaves the index when the last of them lets go of it.
 *
 * <p>Changed only on cold paths (a secret stored, replaced or removed; a context holding secrets leaving the tree);
 * searched without a lock.
 */
final class SecretIndex {
    private static final int BUCKETS = 4096;

    /** Texts by their first characters; each text with the number of holders that put it here. */
    private final ConcurrentHashMap<Long, ConcurrentHashMap<String, Integer>> byStart = new ConcurrentHashMap<>();
    /**
     * How many of the keys of {@link #byStart} begin with two characters of each {@link #bucket}: a search skips a
     * position whose bucket is empty without boxing its key or looking it up, which makes a long text (a stack
     * trace) cheap to search when its characters rarely begin a secret. Made with the first text (16 KB).
     */
    private volatile AtomicIntegerArray startsPerBucket;

    /** The first {@value SecretTexts#MIN_LENGTH} characters of {@code text} from {@code at}, packed. */
    private static long startOf(CharSequence text, int at) {
        return (long) text.charAt(at) << 48 | (long) text.charAt(at + 1) << 32 | (long) text.charAt(at + 2) << 16
                | text.charAt(at + 3);
    }

    /** The bucket of the two characters of {@code text} from {@code at} (letters and digits apart, mostly). */
    private static int bucket(CharSequence text, int at) {
        return (text.charAt(at) & 63) << 6 | (text.charAt(at + 1) & 63);
    }

    /** Adds one holder of {@code text} (at least {@value SecretTexts#MIN_LENGTH} characters). */
    void add(String text) {
        AtomicIntegerArray buckets = bucketsMade();
        // compute on the outer map holds its bin while the inner map changes, so no remove() drops an inner map
        // that an add() has just written to, and the bucket counts a key exactly while it is in the map
        byStart.compute(startOf(text, 0), (start, texts) -> {
            ConcurrentHashMap<String, Integer> t = texts;
            if (t == null) {
                t = new ConcurrentHashMap<>(2);
                buckets.incrementAndGet(bucket(text, 0));
            }
            t.merge(text, 1, Integer::sum);
            return t;
        });
    }

    private AtomicIntegerArray bucketsMade() {
        AtomicIntegerArray b = startsPerBucket;
        if (b == null) {
            synchronized (this) {
                b = startsPerBucket;
                if (b == null) {
                    startsPerBucket = b = new AtomicIntegerArray(BUCKETS);
                }
            }
        }
        return b;
    }

    /** Removes one holder of {@code text}; the text leaves the index with its last holder. */
    void remove(String text) {
        byStart.computeIfPresent(startOf(text, 0), (start, texts) -> {
            texts.computeIfPresent(text, (t, holders) -> holders == 1 ? null : holders - 1);
            if (!texts.isEmpty()) {
                return texts;
            }
            startsPerBucket.decrementAndGet(bucket(text, 0)); // made by the add() that put the text here
            return null;
        });
    }

    /** Adds to {@code out} each indexed text that occurs in {@code text}. */
    void findIn(String text, Collection<String> out) {
        AtomicIntegerArray buckets = startsPerBucket;
        if (buckets == null || byStart.isEmpty()) {
            return;
        }
        for (int at = 0, last = text.length() - SecretTexts.MIN_LENGTH; at <= last; at++) {
            if (buckets.get(bucket(text, at)) == 0) {
                continue;
            }
            ConcurrentHashMap<String, Integer> texts = byStart.get(startOf(text, at));
            if (texts != null) {
                for (String candidate : texts.keySet()) {
                    if (text.startsWith(candidate, at)) {
                        out.add(candidate);
                    }
                }
            }
        }
    }

    /** How many distinct texts are indexed (for tests: what contexts that left the tree hold must be gone). */
    int size() {
        int n = 0;
        for (ConcurrentHashMap<String, Integer> texts : byStart.values()) {
            n += texts.size();
        }
        return n;
    }
}
