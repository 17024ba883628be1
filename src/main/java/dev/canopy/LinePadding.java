package dev.canopy;

/**
 * A cache line (64 bytes after the object header) before the fields of a subclass that one thread writes often while
 * other threads write objects allocated, or copied by a collection, right next to it: the child set's stripes and
 * each thread's {@link ThreadIds}. The subclass declares its fields in a class of its own that extends this one,
 * and a line of longs after them, so its fields lie between two paddings (superclass fields come first).
 */
@SuppressWarnings("unused")
abstract class LinePadding {
    int p00;
    long p01, p02, p03, p04, p05, p06, p07, p08;
}
