/**
 * What the bridges into Canopy ({@code dev.canopy.micrometer}, {@code dev.canopy.otel}) share: mapping foreign
 * names onto context names, choosing the parent of work that brings none, cheap data values. Public only so both
 * bridge packages can use it; not an API, it may change in any release.
 */
package dev.canopy.bridge;
