/**
 * A JUnit Jupiter extension that gives each test its own tree and fails a test that leaves it unclean (contexts
 * still live, named locks held or awaited, a deadlock). Needs {@code junit-jupiter-api}, an optional dependency of
 * Canopy.
 */
package dev.canopy.junit;
