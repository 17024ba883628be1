package dev.canopy;

/**
 * Point-in-time counts for one tree since it was created. {@code live} counts contexts not yet ended
 * (the root included).
 */
public record TreeStatistics(long live, long created, long completed, long failed, long cancelled) {
}
