package io.rnnsweep.train;

import java.io.Serializable;

/**
 * Loss and gradient health summed over a number of updates: what an epoch reports about its training steps.
 *
 * @param lossSum the loss summed over every predicted token (DL4J's summed score)
 * @param tokens predicted tokens trained on
 * @param updates parameter updates made
 * @param clipped updates whose gradient was clipped
 * @param normSum the updates' global gradient norms (before clipping), summed
 * @param normMax the largest of those norms, 0 when there were no updates
 */
public record GradientStats(double lossSum, long tokens, int updates, int clipped, double normSum, double normMax)
        implements Serializable {
    /** No updates yet. */
    public static final GradientStats NONE = new GradientStats(0, 0, 0, 0, 0, 0);

    /** Returns the statistics of one update. */
    public static GradientStats ofUpdate(double summedLoss, long tokens, double norm, boolean clipped) {
        return new GradientStats(summedLoss, tokens, 1, clipped ? 1 : 0, norm, norm);
    }

    /** Returns the statistics of these updates and the other's together. */
    public GradientStats plus(GradientStats other) {
        return new GradientStats(lossSum + other.lossSum, tokens + other.tokens, updates + other.updates,
                clipped + other.clipped, normSum + other.normSum, Math.max(normMax, other.normMax));
    }

    /** Returns the mean training loss per token, NaN without tokens. */
    public double meanLoss() {
        return tokens == 0 ? Double.NaN : lossSum / tokens;
    }

    /** Returns the mean gradient norm before clipping, NaN without updates. */
    public double meanNorm() {
        return updates == 0 ? Double.NaN : normSum / updates;
    }

    /** Returns the largest gradient norm before clipping, NaN without updates. */
    public double maxNorm() {
        return updates == 0 ? Double.NaN : normMax;
    }

    /** Returns the fraction of updates that were clipped, NaN without updates. */
    public double clipFraction() {
        return updates == 0 ? Double.NaN : clipped / (double) updates;
    }
}
