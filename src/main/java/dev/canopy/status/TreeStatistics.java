package dev.canopy.status;

/**
 * Point-in-time counts for one tree since it was created. {@code live} counts contexts not yet ended
 * (the root included); {@code leaked} counts contexts garbage-collected without being closed.
 */
public record TreeStatistics(long live, long created, long completed, long failed, long cancelled, long leaked) {
}
