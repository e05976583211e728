package io.rnnsweep.schedule;

import java.util.Locale;
import java.util.Objects;

/**
 * Why a scheduler stopped a trial (or holds it paused): for the trial's KILLED status and its run's tags.
 *
 * @param rule the scheduler's name ({@code asha}, {@code median}, ...)
 * @param rung the epoch at which it was compared
 * @param value its objective value there (its best so far, for the median rule)
 * @param threshold the value it needed to go on (NaN when too few trials had reached the rung to set one)
 * @param why the comparison in words
 */
public record StopReason(String rule, int rung, double value, double threshold, String why) {
    /** Checks the fields. */
    public StopReason {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(why, "why");
    }

    /** Returns the reason as one line, such as {@code asha stopped it at rung 3: 9.12 is not in the top 1/3 (<= 8.7)}. */
    public String describe() {
        return String.format(Locale.ROOT, "%s stopped it at epoch %d: %s", rule, rung, why);
    }

    /** Formats an objective value for messages. */
    static String number(double v) {
        return Double.isNaN(v) ? "none" : String.format(Locale.ROOT, "%.5g", v);
    }
}
