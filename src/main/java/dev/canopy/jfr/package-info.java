/**
 * Canopy in JDK Flight Recorder. The events (names in {@link dev.canopy.jfr.EventNames}) are emitted by one tree
 * listener that joins every tree by itself, and cost a disabled-check while nothing records. The templates
 * ({@link dev.canopy.jfr.JfrTemplates}) switch them on; {@link dev.canopy.jfr.ContextRecording} rebuilds the tree
 * and a timeline from a recording file.
 *
 * <p>Stable: the event names, their fields, and the reader's public types. The emitting classes are internal.
 */
package dev.canopy.jfr;
