package io.rnnsweep.schedule;

/** What a scheduler says after a trial's epoch. */
public enum Decision {
    /** Train the next epoch. */
    CONTINUE,
    /** End the trial now (it ends KILLED). */
    STOP,
    /** End this segment and keep the checkpoint: the trial waits at its rung until it is promoted or stopped. */
    PAUSE
}
