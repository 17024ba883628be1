package dev.canopy.status;

/**
 * What the key cap refused: how many times a new counter key could not be created, and how many increments to
 * such keys were not counted. Both zero unless the tree has more distinct keys than its cap.
 */
public record CounterOverflow(int maxKeys, long refusedKeys, long lostIncrements) {
    public boolean overflowed() {
        return refusedKeys > 0;
    }
}
