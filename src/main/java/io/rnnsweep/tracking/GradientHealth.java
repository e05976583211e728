package io.rnnsweep.tracking;

import io.rnnsweep.trial.EpochResult;
import java.util.List;

/**
 * Whether a trial's gradients looked healthy, the seeds' main theme, judged from its per-epoch gradient
 * statistics (global L2 norm before clipping, share of clipped updates):
 * <ul>
 * <li>EXPLODING: the trial diverged, or more than {@value #CLIP_MOST} of its updates were clipped over its
 *     epochs, or the mean norm grew more than {@value #GROWTH}× from the first epoch to the last, or an update's
 *     norm exceeded {@value #SPIKE}× the usual one (the median of its epochs' mean norms);</li>
 * <li>VANISHING: the mean norm of the last epoch is below {@value #COLLAPSE}× that of the first and below
 *     {@value #TINY} in absolute terms;</li>
 * <li>HEALTHY: neither; UNKNOWN: no epoch with gradient statistics.</li>
 * </ul>
 */
public enum GradientHealth {
    /** Neither exploding nor vanishing. */
    HEALTHY,
    /** Clipped on most updates, norm growing epoch over epoch, or diverged. */
    EXPLODING,
    /** Norm collapsing toward zero. */
    VANISHING,
    /** No gradient statistics (no epoch trained). */
    UNKNOWN;

    /** Share of clipped updates above which gradients count as exploding. */
    public static final double CLIP_MOST = 0.5;
    /** Growth of the mean norm, first to last epoch, above which gradients count as exploding. */
    public static final double GROWTH = 10;
    /** An update's norm above this many times the median of the epochs' mean norms counts as exploding. */
    public static final double SPIKE = 100;
    /** Shrinkage of the mean norm, last against first epoch, below which gradients may be vanishing. */
    public static final double COLLAPSE = 0.01;
    /** Absolute mean norm below which a collapsed norm counts as vanishing. */
    public static final double TINY = 1e-4;

    /** Returns the tag value, such as {@code exploding}. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Judges a trial from its epochs; {@code diverged} says whether it ended DIVERGED. */
    public static GradientHealth of(List<EpochResult> epochs, boolean diverged) {
        if (diverged) {
            return EXPLODING;
        }
        List<EpochResult> measured = epochs.stream().filter(e -> Double.isFinite(e.gradNormMean())).toList();
        if (measured.isEmpty()) {
            return UNKNOWN;
        }
        double clipped = measured.stream().mapToDouble(EpochResult::clipFraction).filter(Double::isFinite)
                .average().orElse(0);
        double first = measured.get(0).gradNormMean();
        double last = measured.get(measured.size() - 1).gradNormMean();
        double[] means = measured.stream().mapToDouble(EpochResult::gradNormMean).sorted().toArray();
        double usual = means.length % 2 == 1 ? means[means.length / 2]
                : (means[means.length / 2 - 1] + means[means.length / 2]) / 2;
        double largest = measured.stream().mapToDouble(EpochResult::gradNormMax).filter(Double::isFinite).max()
                .orElse(0);
        if (clipped > CLIP_MOST || (measured.size() > 1 && last > GROWTH * first) || largest > SPIKE * usual) {
            return EXPLODING;
        }
        if (measured.size() > 1 && last < COLLAPSE * first && last < TINY) {
            return VANISHING;
        }
        return HEALTHY;
    }
}
