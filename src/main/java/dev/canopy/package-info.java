/**
 * What application code calls: a tree of named contexts ({@link dev.canopy.Canopy}, {@link dev.canopy.ContextTree},
 * {@link dev.canopy.Context}, {@link dev.canopy.ContextBuilder}), tasks that run in them ({@link dev.canopy.Task}),
 * the current context ({@link dev.canopy.Scope}), counters ({@link dev.canopy.Counters}) and named locks
 * ({@link dev.canopy.NamedLock}, {@link dev.canopy.NamedReadWriteLock}, {@link dev.canopy.NamedSemaphore}).
 *
 * <p>Stable: the public types here are the library's API. Everything package-private is implementation and may
 * change in any release. What the tree looks like at a moment is in {@link dev.canopy.status}; the surfaces that
 * show it (JFR, JMX) are listeners in {@link dev.canopy.jfr} and {@link dev.canopy.jmx}, reached through
 * {@link dev.canopy.spi}.
 */
package dev.canopy;
