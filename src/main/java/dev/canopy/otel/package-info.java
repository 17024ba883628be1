/**
 * Canopy and OpenTelemetry. Into Canopy: {@link dev.canopy.otel.CanopySpanProcessor} shows every live span of the
 * SDK as a context ({@link dev.canopy.otel.CanopyAgentExtension} does so under the Java agent). Out of Canopy:
 * {@link dev.canopy.otel.CanopyTracing} exports contexts as spans and carries traces from service to service
 * through W3C {@code traceparent} headers. Both can run on one SDK without mirroring each other's work.
 * Needs the optional OpenTelemetry dependencies: the API for the export, the SDK for the processor.
 */
package dev.canopy.otel;
