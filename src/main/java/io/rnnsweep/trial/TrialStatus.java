package io.rnnsweep.trial;

/** Where a trial stands; every trial ends in one of the terminal states. */
public enum TrialStatus {
    /** Training. */
    RUNNING,
    /** Trained to the end of a segment (a rung); resumable from its checkpoint. */
    PAUSED,
    /** Trained for all its epochs. */
    FINISHED,
    /** Stopped because a loss or gradient became NaN or infinite. */
    DIVERGED,
    /** Stopped by an exception; the cause is recorded. */
    FAILED,
    /** Stopped on purpose before its last epoch (early stopping, timeout, cancellation). */
    KILLED;

    /** Returns whether the trial can no longer change. */
    public boolean isTerminal() {
        return this != RUNNING && this != PAUSED;
    }
}
