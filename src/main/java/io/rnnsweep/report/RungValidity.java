package io.rnnsweep.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a sweep's early stopping could be trusted: per rung, Spearman's rank correlation between the objective
 * at that rung and the final objective, over the trials that trained to the end. A low correlation means the
 * scheduler ranked trials at that rung by something other than where they end up (learning rates that start fast
 * and stall, for instance), and stopped trials it should have kept.
 */
public final class RungValidity {
    /** Below this correlation a rung's ranking is called untrustworthy. */
    public static final double WARN_BELOW = 0.5;
    /** Fewer trials trained to the end than this give no correlation. */
    public static final int MIN_TRIALS = 3;

    private RungValidity() {
    }

    /**
     * One rung's figure.
     *
     * @param rung the rung's epoch
     * @param trials the trials that trained to the end (and have a value at the rung)
     * @param correlation Spearman's rank correlation between the rung's and the final objective; NaN when fewer
     *     than {@link #MIN_TRIALS} trials or a constant side
     */
    public record Row(int rung, int trials, double correlation) {
        /** Returns whether the rung's ranking disagrees with the final one enough to warn. */
        public boolean untrustworthy() {
            return !Double.isNaN(correlation) && correlation < WARN_BELOW;
        }
    }

    /** Returns the table of a sweep run under an early-stopping scheduler; empty without one. */
    public static Optional<List<Row>> of(SweepData sweep) {
        if (sweep.stopping().isEmpty()) {
            return Optional.empty();
        }
        SweepData.Stopping stopping = sweep.stopping().get();
        List<SweepData.Trial> ended = sweep.trials().stream()
                .filter(t -> t.epochs().size() >= stopping.maxEpochs() && Double.isFinite(sweep.objective(t)))
                .toList();
        List<Row> rows = new ArrayList<>();
        for (int rung : stopping.rungs()) {
            List<Double> atRung = new ArrayList<>();
            List<Double> last = new ArrayList<>();
            for (SweepData.Trial t : ended) {
                double v = t.series(sweep.metric())[rung - 1];
                if (Double.isFinite(v)) {
                    atRung.add(v);
                    last.add(sweep.objective(t));
                }
            }
            double rho = atRung.size() < MIN_TRIALS ? Double.NaN : Importance.spearman(
                    atRung.stream().mapToDouble(Double::doubleValue).toArray(),
                    last.stream().mapToDouble(Double::doubleValue).toArray());
            rows.add(new Row(rung, atRung.size(), rho));
        }
        return Optional.of(rows);
    }

    /** Returns the advice for an untrustworthy rung: a longer grace period, the next rung's epochs. */
    public static String advice(SweepData sweep, Row row) {
        SweepData.Stopping stopping = sweep.stopping().orElseThrow();
        int next = stopping.rungs().stream().filter(r -> r > row.rung()).findFirst()
                .orElse(Math.min(stopping.maxEpochs() - 1, row.rung() * 2));
        return String.format(java.util.Locale.ROOT, "early stopping at epoch %d ranked trials by something other"
                + " than where they end up (rank correlation %.2f over %d trials trained to the end, below %.1f):"
                + " try scheduler.grace_epochs: %d or more", row.rung(), row.correlation(), row.trials(), WARN_BELOW,
                Math.max(next, stopping.graceEpochs() + 1));
    }
}
