package io.rnnsweep.train;

import io.rnnsweep.task.Batch;
import java.util.OptionalDouble;
import java.util.Set;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gives every DL4J update the seeds' semantics, and measures it.
 *
 * <p>DL4J calls {@link #onGradientCalculation} after backprop and before the updater. The networks are built
 * with {@code miniBatch(false)}, so the gradient there is that of the loss summed over the update's tokens.
 * This listener zeroes the gradients of frozen parameters, scales the gradient to the seed's objective
 * ({@link Batch#objectiveScale()}), measures its global L2 norm, clips it to the threshold by that norm, and
 * records loss, norm and clipping for the epoch. A NaN or infinite loss or norm throws
 * {@link DivergedException} before the update is applied.
 */
final class GradientControl extends BaseTrainingListener {
    private final OptionalDouble clip;
    private final Set<String> frozen;
    private Batch batch;

    private double lossSum;
    private long tokens;
    private int updates;
    private int clipped;
    private double normSum;
    private double normMax;

    GradientControl(OptionalDouble clip, Set<String> frozen) {
        this.clip = clip;
        this.frozen = Set.copyOf(frozen);
    }

    /** Sets the batch whose updates come next. */
    void begin(Batch next) {
        this.batch = next;
    }

    /** Clears the epoch's statistics. */
    void resetEpoch() {
        lossSum = 0;
        tokens = 0;
        updates = 0;
        clipped = 0;
        normSum = 0;
        normMax = 0;
    }

    @Override
    public void onGradientCalculation(Model model) {
        double summedLoss = model.score();
        Gradient gradient = model.gradient();
        for (String key : frozen) {
            INDArray g = gradient.getGradientFor(key);
            if (g != null) {
                g.assign(0);
            }
        }
        INDArray flat = gradient.gradient();
        double scale = batch.objectiveScale();
        double norm = flat.norm2Number().doubleValue() * scale;
        long updateTokens = batch.tokensPerUpdate();
        if (!Double.isFinite(summedLoss) || !Double.isFinite(norm)) {
            throw new DivergedException("update " + (updates + 1) + " of the epoch: loss per token "
                    + summedLoss / updateTokens + ", gradient norm " + norm);
        }
        flat.muli(scale * GlobalNormClip.factor(norm, clip));
        lossSum += summedLoss;
        tokens += updateTokens;
        updates++;
        clipped += GlobalNormClip.clips(norm, clip) ? 1 : 0;
        normSum += norm;
        normMax = Math.max(normMax, norm);
    }

    /** Returns the mean training loss per token so far in the epoch. */
    double meanLoss() {
        return tokens == 0 ? Double.NaN : lossSum / tokens;
    }

    /** Returns the tokens trained on so far in the epoch. */
    long tokens() {
        return tokens;
    }

    /** Returns the mean gradient norm (before clipping) of the epoch's updates. */
    double meanNorm() {
        return updates == 0 ? Double.NaN : normSum / updates;
    }

    /** Returns the largest gradient norm (before clipping) of the epoch. */
    double maxNorm() {
        return updates == 0 ? Double.NaN : normMax;
    }

    /** Returns the fraction of the epoch's updates that were clipped. */
    double clipFraction() {
        return updates == 0 ? Double.NaN : clipped / (double) updates;
    }
}
