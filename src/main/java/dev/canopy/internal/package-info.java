/**
 * Helpers the library's packages share (name checks, duration text). Not API: public only so Canopy's own packages
 * can reach them, and may change in any release.
 */
package dev.canopy.internal;
