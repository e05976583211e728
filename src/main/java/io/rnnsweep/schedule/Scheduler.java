package io.rnnsweep.schedule;

import java.util.List;
import java.util.Optional;

/**
 * Decides, epoch by epoch, which trials go on. Implementations are pure and deterministic: the same results
 * in the same order give the same decisions. Not thread-safe; the driver calls them from one thread.
 *
 * <p>A trial trains in segments: each ends at {@link #segmentEnd}, where the scheduler is told the segment's
 * results and decides. Between segments a paused trial lives in its checkpoint.
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

    /**
     * Returns the epoch after which the trial's next segment ends: the next epoch this scheduler decides at.
     *
     * @param trial the trial's index
     * @param epochsDone the epochs the trial has trained so far
     * @param maxEpochs the epochs of a trial that is never stopped
     */
    default int segmentEnd(int trial, int epochsDone, int maxEpochs) {
        return maxEpochs;
    }

    /** Returns paused trials that may now resume, in the order they should; empty for schedulers that never pause. */
    default List<Integer> promotions() {
        return List.of();
    }

    /** Returns paused trials that are now stopped for good (a completed synchronous rung); default none. */
    default List<Integer> stopped() {
        return List.of();
    }

    /**
     * Takes note that a trial ended on its own (finished, diverged, failed, timed out): it reports no more, and
     * nobody waits for it.
     */
    default void onEnd(int trial) {
    }

    /**
     * Says that nothing is running and no new trial will start: returns paused trials to promote anyway (so that
     * a finite sweep still trains its best trial to the end); empty when the sweep is over.
     */
    default List<Integer> drained() {
        return List.of();
    }

    /** Returns why a trial was stopped or is paused (its rung, its value, the bar it missed); empty if unknown. */
    default Optional<StopReason> reason(int trial) {
        return Optional.empty();
    }
}
