package io.rnnsweep.trial;

import java.util.Locale;

/** Whether the objective metric is to be minimized or maximized. */
public enum ObjectiveMode {
    /** Smaller is better (losses, perplexity, MSE). */
    MIN,
    /** Larger is better (accuracies). */
    MAX;

    /** Returns the name users write ({@code min}, {@code max}). */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Returns whether {@code candidate} is strictly better than {@code incumbent}; NaN is never better. */
    public boolean better(double candidate, double incumbent) {
        if (Double.isNaN(candidate)) {
            return false;
        }
        if (Double.isNaN(incumbent)) {
            return true;
        }
        return this == MIN ? candidate < incumbent : candidate > incumbent;
    }
}
