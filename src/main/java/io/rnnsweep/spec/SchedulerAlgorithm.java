package io.rnnsweep.spec;

import java.util.Locale;

/** Which early-stopping scheduler a sweep uses ({@code scheduler.algorithm}). */
public enum SchedulerAlgorithm {
    /** No early stopping: every trial trains to the end in one segment. */
    FIFO,
    /** The median stopping rule: after the grace period, stop a trial whose best is worse than the median. */
    MEDIAN,
    /** Synchronous successive halving: at each rung, wait for every trial, keep the top 1/η. */
    SUCCESSIVE_HALVING,
    /** Hyperband: successive halving in brackets with different first rungs. */
    HYPERBAND,
    /** Asynchronous successive halving: promote a trial as soon as it is in the top 1/η of its rung. */
    ASHA;

    /** Returns the name users write ({@code asha}, {@code successive_halving}, ...). */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Returns whether trials train in segments, deciding between them (every algorithm but FIFO). */
    public boolean segmented() {
        return this != FIFO;
    }

    /** Returns whether the scheduler compares trials at rungs (and so takes a reduction factor). */
    public boolean rungBased() {
        return this == SUCCESSIVE_HALVING || this == HYPERBAND || this == ASHA;
    }
}
