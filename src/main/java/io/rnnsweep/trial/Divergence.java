package io.rnnsweep.trial;

import java.io.Serializable;
import java.util.Locale;
import java.util.Optional;

/**
 * When a trial whose losses are still finite has blown up anyway, and so ends DIVERGED: an epoch whose training
 * or validation loss is more than {@code baselineFactor} times the task's no-skill loss (what predicting without
 * looking costs: ln of the classes for cross-entropy, the targets' variance for squared error), or is above the
 * no-skill loss after the trial had brought that loss below it by more than {@code bestFactor} (every skill it had
 * learned is gone). A NaN or infinite loss or gradient always counts, whatever these say.
 *
 * @param baselineFactor how many times the no-skill loss an epoch's loss may reach; NaN: no such limit
 * @param bestFactor how many times the trial's own best loss an epoch's loss may reach when it is also above the
 *     no-skill loss; NaN: no such limit
 */
public record Divergence(double baselineFactor, double bestFactor) implements Serializable {
    /** The defaults: 3 times the no-skill loss; above it after having been 2 times below. */
    public static final Divergence DEFAULT = new Divergence(3, 2);
    /** No limit but finite losses and gradients. */
    public static final Divergence FINITE_ONLY = new Divergence(Double.NaN, Double.NaN);

    /** Checks the factors: each above 1, or NaN. */
    public Divergence {
        if (!(Double.isNaN(baselineFactor) || baselineFactor > 1) || !(Double.isNaN(bestFactor) || bestFactor > 1)) {
            throw new IllegalArgumentException("divergence factors must be above 1 (or none): " + baselineFactor
                    + ", " + bestFactor);
        }
    }

    /**
     * A task's no-skill loss: what a prediction that ignores the input costs per token or step.
     *
     * @param loss the loss
     * @param how how it is computed, for messages ("ln 28")
     */
    public record Baseline(double loss, String how) implements Serializable {
    }

    /**
     * Judges one epoch's loss; returns why it diverged, or empty.
     *
     * @param what which loss, for the reason ("training loss")
     * @param loss the epoch's loss
     * @param best the trial's best of that loss over its earlier epochs (NaN: none yet)
     * @param noSkill the task's no-skill loss; empty when the task has none (nothing but finiteness is judged)
     */
    public Optional<String> judge(String what, double loss, double best, Optional<Baseline> noSkill) {
        if (noSkill.isEmpty() || !Double.isFinite(loss)) {
            return Optional.empty();
        }
        double baseline = noSkill.get().loss();
        String noSkillText = noSkill.get().how();
        if (!Double.isNaN(baselineFactor) && loss > baselineFactor * baseline) {
            return Optional.of(String.format(Locale.ROOT, "%s %.4g is %.3g times the no-skill loss %s = %.4g"
                    + " (divergence.baseline_factor %s)", what, loss, loss / baseline, noSkillText, baseline,
                    number(baselineFactor)));
        }
        if (!Double.isNaN(bestFactor) && loss > baseline && best * bestFactor < baseline) {
            return Optional.of(String.format(Locale.ROOT, "%s %.4g is back above the no-skill loss %s = %.4g after"
                    + " the trial's best %.4g (divergence.best_factor %s)", what, loss, noSkillText, baseline, best,
                    number(bestFactor)));
        }
        return Optional.empty();
    }

    /** Returns a factor as a spec writes it: a number, or {@code none}. */
    public static String number(double factor) {
        return Double.isNaN(factor) ? "none" : factor == Math.rint(factor) ? Long.toString((long) factor)
                : Double.toString(factor);
    }
}
