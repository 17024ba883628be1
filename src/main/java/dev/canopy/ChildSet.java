package dev.canopy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * A context's live children: intrusive doubly linked lists, striped by the thread that created the child.
 *
 * <p>Why lists and not a {@code ConcurrentHashMap}: opening and closing a child is the hottest path in Canopy, and a
 * concurrent map costs a node allocation, a hash, and five or six atomic operations per add and remove (the bin's
 * CAS or monitor, the size counter's CAS). A list threaded through the children themselves ({@link Context} and
 * {@link ChildLink} each carry a previous and next sibling) costs one CAS and one release store per add or remove,
 * and nothing to allocate. Removal is O(1) because each child knows its neighbours.
 *
 * <p>Why stripes: worker threads opening request contexts under one service context would otherwise all write one
 * list head and one lock word. Each thread's children go into the stripe its contexts carry ({@link Context#stripe},
 * fixed per thread), so threads write separate lists; stripes are allocated on first use.
 *
 * <p>Every operation, the walks included, runs under its stripe's lock, and walks copy the stripe before acting on
 * it: what a walk does (cancel a child, run its callbacks) may open or close children of this very set. Because the
 * lock orders everything, the handshakes of {@link Context}'s class comment hold without any further fence: a
 * writer that updates {@code phase} or {@code cancellation} before taking a stripe's lock is seen by an adder that
 * reads them after taking it, and the other way round.
 */
final class ChildSet {
    /** A power of two: twice the processors, at most 16. */
    static final int STRIPES = Math.min(16, Integer.highestOneBit(Math.max(1,
            Runtime.getRuntime().availableProcessors()) * 2 - 1) << 1);
    static final int MASK = STRIPES - 1;
    private static final VarHandle AT = MethodHandles.arrayElementVarHandle(Stripe[].class);
    private static final Object[] NONE = new Object[0];

    private final Stripe[] stripes = new Stripe[STRIPES];

    private Stripe at(int i) {
        return (Stripe) AT.getAcquire(stripes, i);
    }

    private Stripe stripe(int i) {
        Stripe s = at(i);
        if (s == null) {
            Stripe fresh = new Stripe();
            Stripe witness = (Stripe) AT.compareAndExchange(stripes, i, null, fresh);
            s = witness == null ? fresh : witness;
        }
        return s;
    }

    /** Adds a child (a task's context, or the weak link of one made by {@code open()}); it must be in no set. */
    void add(Object child, int stripe) {
        stripe(stripe).add(child);
    }

    /** Removes a child added with {@code stripe}; returns whether it was there. */
    boolean remove(Object child, int stripe) {
        Stripe s = at(stripe);
        return s != null && s.remove(child);
    }

    /** Whether no child is in the set: exact for every add and remove that completed before. */
    boolean isEmpty() {
        for (int i = 0; i < STRIPES; i++) {
            Stripe s = at(i);
            if (s != null && s.size() > 0) {
                return false;
            }
        }
        return true;
    }

    int size() {
        int n = 0;
        for (int i = 0; i < STRIPES; i++) {
            Stripe s = at(i);
            if (s != null) {
                n += s.size();
            }
        }
        return n;
    }

    /**
     * Visits every child (a context, or its weak link) in the set when its stripe was copied. The action runs with
     * no lock held, so it may change this set.
     */
    void forEachKey(Consumer<Object> action) {
        for (int i = 0; i < STRIPES; i++) {
            Stripe s = at(i);
            if (s != null) {
                for (Object child : s.copy()) {
                    action.accept(child);
                }
            }
        }
    }

    // ------------------------------------------------------------------ the intrusive links

    private static Object prev(Object node) {
        return node instanceof Context c ? c.prevSibling : ((ChildLink) node).prevSibling;
    }

    private static Object next(Object node) {
        return node instanceof Context c ? c.nextSibling : ((ChildLink) node).nextSibling;
    }

    private static void setPrev(Object node, Object prev) {
        if (node instanceof Context c) {
            c.prevSibling = prev;
        } else {
            ((ChildLink) node).prevSibling = prev;
        }
    }

    private static void setNext(Object node, Object next) {
        if (node instanceof Context c) {
            c.nextSibling = next;
        } else {
            ((ChildLink) node).nextSibling = next;
        }
    }

    /**
     * A stripe's fields, padded on both sides ({@link LinePadding}, and the longs of {@link Stripe}). A stripe is
     * written on every open and close by the threads of its stripe only, but stripes of one parent are allocated
     * together and a collection copies them next to each other: unpadded, two threads in two stripes wrote one cache
     * line, and two threads gave less throughput than one.
     */
    abstract static class StripeFields extends LinePadding {
        @SuppressWarnings("unused") // through Stripe.LOCK
        volatile int locked;
        /** Newest first. */
        Object head;
        int size;
    }

    /**
     * One list and its lock, padded to lines of its own (see {@link StripeFields}). The lock is a word taken by CAS
     * and given back by a release store: a critical section is a few plain writes, so a thread that finds it taken
     * spins briefly, then yields (a holder may have been descheduled).
     */
    @SuppressWarnings("unused")
    static final class Stripe extends StripeFields {
        private static final VarHandle LOCK;
        private static final int SPINS_BEFORE_YIELD = 64;

        static {
            try {
                LOCK = MethodHandles.lookup().findVarHandle(StripeFields.class, "locked", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        long p11, p12, p13, p14, p15, p16, p17, p18;

        private void lock() {
            if (!LOCK.weakCompareAndSetAcquire(this, 0, 1)) {
                lockContended();
            }
        }

        private void lockContended() {
            int spins = 0;
            while (!LOCK.weakCompareAndSetAcquire(this, 0, 1)) {
                if (++spins < SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }

        private void unlock() {
            LOCK.setRelease(this, 0);
        }

        void add(Object node) {
            lock();
            try {
                Object first = head;
                if (first != null) {
                    setPrev(first, node);
                }
                setNext(node, first);
                head = node;
                size++;
            } finally {
                unlock();
            }
        }

        boolean remove(Object node) {
            lock();
            try {
                Object before = prev(node);
                if (before == null && head != node) {
                    return false; // not in this list (removed already)
                }
                Object after = next(node);
                if (before == null) {
                    head = after;
                } else {
                    setNext(before, after);
                }
                if (after != null) {
                    setPrev(after, before);
                }
                setPrev(node, null);
                setNext(node, null);
                size--;
                return true;
            } finally {
                unlock();
            }
        }

        int size() {
            lock();
            try {
                return size;
            } finally {
                unlock();
            }
        }

        Object[] copy() {
            lock();
            try {
                if (size == 0) {
                    return NONE;
                }
                Object[] all = new Object[size];
                int i = 0;
                for (Object n = head; n != null; n = next(n)) {
                    all[i++] = n;
                }
                return all;
            } finally {
                unlock();
            }
        }
    }
}
