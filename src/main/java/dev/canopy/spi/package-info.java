/**
 * How surfaces join a tree: {@link dev.canopy.spi.TreeListener}, told of contexts, scopes, locks, leaks and
 * deadlocks; {@link dev.canopy.spi.LockView}, a named lock as a surface sees it; and
 * {@link dev.canopy.spi.ListenerProvider}, for surfaces found through {@link java.util.ServiceLoader}. Canopy's own
 * JFR and JMX surfaces are built on it, as are bridges to other systems.
 *
 * <p>Stable for implementers: methods added later always have a default.
 */
package dev.canopy.spi;
