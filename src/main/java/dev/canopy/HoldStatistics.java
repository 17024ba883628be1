package dev.canopy;

/**
 * Hold statistics kept where the holds are recorded (a holder slot, a thread's permits), written by the recording
 * thread alone and summed only when a snapshot asks: no shared counter is written per acquisition.
 */
interface HoldStatistics {
    /** First (non-reentrant) acquisitions recorded here. */
    long acquisitions();

    /** Total time of the holds that ended here. */
    long totalHoldNanos();

    /** The longest hold that ended here. */
    long maxHoldNanos();
}
