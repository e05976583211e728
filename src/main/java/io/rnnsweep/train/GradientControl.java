package io.rnnsweep.train;

import io.rnnsweep.task.Batch;
import java.io.Serializable;
import java.util.HashSet;
import java.util.OptionalDouble;
import java.util.Set;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
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
 *
 * <p>In this thread the trainer announces each batch ({@link #begin}). A copy made by {@link #forShards} runs
 * inside data-parallel workers instead, where batches are shards of the trainer's batches: it derives the
 * scale from the shard's sequence count and hands each update's statistics to a {@link UpdateSink}.
 */
public final class GradientControl extends BaseTrainingListener implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Receives the statistics of every update a worker's copy makes. */
    @FunctionalInterface
    public interface UpdateSink extends Serializable {
        /** Records one update. */
        void record(GradientStats update);
    }

    private final double clip;
    /** {@link #clip} as the clipping code takes it, built once rather than on every update. */
    private transient OptionalDouble threshold;
    private final HashSet<String> frozen;
    private final double scalePerSequence;
    private final int stepsPerUpdate;
    private final UpdateSink sink;
    private transient Batch batch;
    private transient GradientStats epoch = GradientStats.NONE;

    /** Creates the listener for training in this thread; {@code clip} empty means no clipping. */
    public GradientControl(OptionalDouble clip, Set<String> frozen) {
        this(clip.orElse(Double.NaN), frozen, Double.NaN, 0, null);
    }

    private GradientControl(double clip, Set<String> frozen, double scalePerSequence, int stepsPerUpdate,
                            UpdateSink sink) {
        this.clip = clip;
        this.threshold = Double.isNaN(clip) ? OptionalDouble.empty() : OptionalDouble.of(clip);
        this.frozen = new HashSet<>(frozen);
        this.scalePerSequence = scalePerSequence;
        this.stepsPerUpdate = stepsPerUpdate;
        this.sink = sink;
    }

    /**
     * Returns a copy for data-parallel workers, which train layer stacks on shards of {@code like}: the same
     * clipping and frozen parameters, the objective scale of {@code like} per sequence of a shard, one update
     * per shard.
     */
    public GradientControl forShards(Batch like, UpdateSink sink) {
        return new GradientControl(clip, frozen, like.objectiveScale() * like.sequences(), like.stepsPerUpdate(),
                sink);
    }

    /** Sets the batch whose updates come next. */
    public void begin(Batch next) {
        this.batch = next;
    }

    /** Clears the epoch's statistics. */
    public void resetEpoch() {
        epoch = GradientStats.NONE;
    }

    /** Returns the statistics of the epoch's updates so far. */
    public GradientStats epochStats() {
        return epoch;
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
        double scale;
        long updateTokens;
        if (batch != null) {
            scale = batch.objectiveScale();
            updateTokens = batch.tokensPerUpdate();
        } else {
            long sequences = ((MultiLayerNetwork) model).getInput().size(0);
            scale = scalePerSequence / sequences;
            updateTokens = sequences * stepsPerUpdate;
        }
        INDArray flat = gradient.gradient();
        double norm = flat.norm2Number().doubleValue() * scale;
        if (!Double.isFinite(summedLoss) || !Double.isFinite(norm)) {
            throw new DivergedException("update " + (epoch.updates() + 1) + " of the epoch: loss per token "
                    + summedLoss / updateTokens + ", gradient norm " + norm);
        }
        flat.muli(scale * GlobalNormClip.factor(norm, threshold));
        GradientStats update = GradientStats.ofUpdate(summedLoss, updateTokens, norm,
                GlobalNormClip.clips(norm, threshold));
        epoch = epoch.plus(update);
        if (sink != null) {
            sink.record(update);
        }
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
        in.defaultReadObject();
        threshold = Double.isNaN(clip) ? OptionalDouble.empty() : OptionalDouble.of(clip);
        epoch = GradientStats.NONE;
    }
}
