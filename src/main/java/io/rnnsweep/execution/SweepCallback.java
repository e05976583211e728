package io.rnnsweep.execution;

import java.util.Map;

/**
 * Hears a sweep's events as its one driver loop makes them: where results go (tracking, console progress)
 * without the loop knowing them. Every method is called from the loop's thread, one event at a time.
 */
public interface SweepCallback {

    /**
     * A trial was created from the searcher's suggestion and is about to start; returns the task to run, which
     * a callback may extend (tracking gives it the handle its executor logs with).
     */
    default TrialTask trialCreated(TrialTask task) {
        return task;
    }

    /**
     * A job of a trial starts: the trial from its first epoch ({@code fromEpoch} 0), or resumed from its
     * checkpoint after epoch {@code fromEpoch} (promoted from a rung, or continued by a resumed sweep).
     */
    default void trialStarted(TrialTask task, int fromEpoch) {
    }

    /**
     * A segment of a trial came back paused at a rung: {@code promoted} when it goes on at once or was promoted,
     * else it waits in its checkpoint.
     */
    default void trialPaused(TrialTask task, int rung, boolean promoted, TrialOutcome segment) {
    }

    /**
     * A trial ended, with its whole outcome (every epoch of every segment) and the tags that say why a
     * scheduler stopped it (empty when none did).
     */
    default void trialEnded(TrialTask task, TrialOutcome outcome, Map<String, String> tags) {
    }

    /** A segment or trial came back and was handled: the sweep as it stands now. */
    default void progress(SweepProgress progress) {
    }

    /**
     * The loop is done: returns the sweep's result as this callback completes it, before any callback hears
     * that the sweep ended (tracking fills in the epochs a cancelled sweep's trials logged but whose jobs brought
     * nothing back). Called on every callback in order, each given the one before's result.
     *
     * @param cancelled whether the sweep was cancelled
     */
    default SweepResult sweepCompleting(SweepResult result, boolean cancelled) {
        return result;
    }

    /** The sweep ended, with its whole result (the output folder and its report are written from it). */
    default void sweepEnded(SweepResult result, boolean cancelled) {
    }
}
