package io.rnnsweep.trial;

import java.util.Objects;

/**
 * What a sweep optimizes: one per-epoch metric and its direction, declared once in the spec and handed to
 * searcher and scheduler alike.
 *
 * @param metric the metric's name as in {@link EpochResult#metrics()} (for example {@code val_perplexity})
 * @param mode whether smaller or larger is better
 */
public record Objective(String metric, ObjectiveMode mode) {
    /** Checks that both parts are present. */
    public Objective {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(mode, "mode");
    }

    /** Returns this objective's value in an epoch, NaN when the epoch lacks it. */
    public double of(EpochResult result) {
        return result.metric(metric);
    }

    @Override
    public String toString() {
        return mode.key() + " " + metric;
    }
}
