package org.limes.simulator.load;

/**
 * Receives the progress of a {@link CounterFleet} run every
 * {@link CounterFleet#PROGRESS_PERIOD} while it sends.
 *
 * <p>Called on the fleet's scheduler thread, which also paces the messages: an
 * implementation must return quickly and must not block.
 */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that ignores progress. */
    ProgressListener NONE = progress -> { };

    void onProgress(FleetProgress progress);
}
