package dev.canopy.status;

import java.time.Duration;
import java.time.Instant;

/** An operation in progress, as seen at one moment. */
public record OperationInfo(String name, Instant since, Duration duration) {
}
