package dev.canopy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A context's live children, striped by the thread that created them.
 *
 * <p>Why not one {@code ConcurrentHashMap}: a parent with few live children has a table of a few bins, all in one
 * cache line, and every open and close writes a bin. Worker threads opening request contexts under one service
 * context then all write that line: measured here, two threads paid 1.8× the cost of one. Each thread's children go
 * into the stripe its contexts carry ({@link Context#stripe}, fixed per thread), so threads write separate tables.
 * Stripes are allocated on first use; walking (cancel, status, end) visits them all.
 */
final class ChildSet {
    /** A power of two: twice the processors, at most 16. */
    static final int STRIPES = Math.min(16, Integer.highestOneBit(Math.max(1,
            Runtime.getRuntime().availableProcessors()) * 2 - 1) << 1);
    static final int MASK = STRIPES - 1;
    private static final VarHandle AT = MethodHandles.arrayElementVarHandle(ConcurrentHashMap[].class);

    @SuppressWarnings("unchecked")
    private final ConcurrentHashMap<Object, Boolean>[] stripes = new ConcurrentHashMap[STRIPES];

    @SuppressWarnings("unchecked")
    private ConcurrentHashMap<Object, Boolean> at(int i) {
        return (ConcurrentHashMap<Object, Boolean>) AT.getVolatile(stripes, i);
    }

    void add(Object key, int stripe) {
        ConcurrentHashMap<Object, Boolean> s = at(stripe);
        if (s == null) {
            ConcurrentHashMap<Object, Boolean> fresh = new ConcurrentHashMap<>(4);
            s = AT.compareAndSet(stripes, stripe, null, fresh) ? fresh : at(stripe);
        }
        s.put(key, Boolean.TRUE);
    }

    /** Removes a child added with {@code stripe}; returns whether it was there. */
    boolean remove(Object key, int stripe) {
        ConcurrentHashMap<Object, Boolean> s = at(stripe);
        return s != null && s.remove(key) != null;
    }

    /** Reads every stripe's volatile count: a walker that sees it empty has seen every completed add. */
    boolean isEmpty() {
        for (int i = 0; i < STRIPES; i++) {
            ConcurrentHashMap<Object, Boolean> s = at(i);
            if (s != null && !s.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    int size() {
        int n = 0;
        for (int i = 0; i < STRIPES; i++) {
            ConcurrentHashMap<Object, Boolean> s = at(i);
            if (s != null) {
                n += s.size();
            }
        }
        return n;
    }

    /** Visits every key (a child, or its weak link), weakly consistent as the maps' own iteration. */
    void forEachKey(Consumer<Object> action) {
        for (int i = 0; i < STRIPES; i++) {
            ConcurrentHashMap<Object, Boolean> s = at(i);
            if (s != null) {
                for (Object key : s.keySet()) {
                    action.accept(key);
                }
            }
        }
    }
}
