package io.rnnsweep.train;

/** What an epoch listener wants after an epoch. */
public enum EpochDecision {
    /** Go on training. */
    CONTINUE,
    /** Stop now; the trial ends KILLED (stopped early) unless it was its last epoch anyway. */
    STOP
}
