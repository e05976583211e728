package io.rnnsweep.schedule;

import java.util.List;

/**
 * Decides, epoch by epoch, which trials go on. Implementations are pure and deterministic: the same results
 * in the same order give the same decisions. Not thread-safe; the driver calls them from one thread.
 */
public interface Scheduler {

    /**
     * Takes a trial's objective value after an epoch and says what the trial does next.
     *
     * @param trial the trial's index
     * @param epoch the epoch just finished, from 1
     * @param value the objective's value after it (NaN for none)
     */
    Decision onResult(int trial, int epoch, double value);

    /** Returns paused trials that may now resume, in the order they should; empty for schedulers that never pause. */
    default List<Integer> promotions() {
        return List.of();
    }

    /** Returns paused trials that are now stopped for good (a completed synchronous rung); default none. */
    default List<Integer> stopped() {
        return List.of();
    }
}
