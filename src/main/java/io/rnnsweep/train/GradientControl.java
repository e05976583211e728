package io.rnnsweep.train;

import io.rnnsweep.task.Batch;
import io.rnnsweep.trial.TrialConfig;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
    /** A relative threshold's factor (NaN for none): the threshold is this times the calibration's median norm. */
    private final double relative;
    /** The norms of the first updates while a relative threshold is calibrated; null once it is resolved. */
    private List<Double> calibration;
    private final HashSet<String> frozen;
    private final double scalePerSequence;
    private final int stepsPerUpdate;
    private final UpdateSink sink;
    private transient Batch batch;
    private transient GradientStats epoch = GradientStats.NONE;

    /** Creates the listener for training in this thread; {@code clip} empty means no clipping. */
    public GradientControl(OptionalDouble clip, Set<String> frozen) {
        this(clip, OptionalDouble.empty(), frozen);
    }

    /**
     * Creates the listener for training in this thread with an absolute threshold ({@code clip}), a relative one
     * ({@code relative}: that many times the median global norm of the first
     * {@link TrialConfig#CALIBRATION_UPDATES} updates, or of the first epoch's when it has fewer, which are not
     * clipped), or none.
     */
    public GradientControl(OptionalDouble clip, OptionalDouble relative, Set<String> frozen) {
        this(clip.orElse(Double.NaN), relative.orElse(Double.NaN), frozen, Double.NaN, 0, null);
    }

    private GradientControl(double clip, double relative, Set<String> frozen, double scalePerSequence,
                            int stepsPerUpdate, UpdateSink sink) {
        this.clip = clip;
        this.relative = relative;
        this.calibration = Double.isNaN(relative) ? null : new ArrayList<>();
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
        if (!Double.isNaN(relative)) {
            throw new IllegalStateException("a relative clipping threshold is calibrated in one thread, not in"
                    + " data-parallel workers");
        }
        return new GradientControl(clip, relative, frozen, like.objectiveScale() * like.sequences(),
                like.stepsPerUpdate(), sink);
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
        if (calibration != null) {
            calibration.add(norm);
            if (calibration.size() >= TrialConfig.CALIBRATION_UPDATES) {
                resolve();
            }
        }
        flat.muli(scale * GlobalNormClip.factor(norm, threshold));
        GradientStats update = GradientStats.ofUpdate(summedLoss, updateTokens, norm,
                GlobalNormClip.clips(norm, threshold));
        epoch = epoch.plus(update);
        if (sink != null) {
            sink.record(update);
        }
    }

    /** Ends an epoch: a relative threshold still calibrating resolves on the updates it saw (the first epoch's). */
    public void endEpoch() {
        if (calibration != null && !calibration.isEmpty()) {
            resolve();
        }
    }

    /** Fixes a relative threshold at its factor times the median of the calibration's norms. */
    private void resolve() {
        List<Double> sorted = new ArrayList<>(calibration);
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        threshold = OptionalDouble.of(relative * median);
        calibration = null;
    }

    /** Returns the absolute threshold a relative one resolved to; empty while it calibrates, or for none. */
    public OptionalDouble resolvedRelative() {
        return Double.isNaN(relative) || calibration != null ? OptionalDouble.empty() : threshold;
    }

    /**
     * Returns what a checkpoint keeps of a relative threshold: the calibration's norms so far, or the resolved
     * threshold; empty for none.
     */
    public Map<String, String> state() {
        if (Double.isNaN(relative)) {
            return Map.of();
        }
        if (calibration != null) {
            return Map.of("clip.calibration", calibration.stream().map(d -> Double.toString(d))
                    .collect(java.util.stream.Collectors.joining(",")));
        }
        return Map.of("clip.resolved", Double.toString(threshold.getAsDouble()));
    }

    /** Takes up a relative threshold where a checkpoint left it ({@link #state()}). */
    public void restore(Map<String, String> state) {
        if (Double.isNaN(relative)) {
            return;
        }
        if (state.containsKey("clip.resolved")) {
            threshold = OptionalDouble.of(Double.parseDouble(state.get("clip.resolved")));
            calibration = null;
        } else if (state.containsKey("clip.calibration")) {
            calibration = new ArrayList<>();
            for (String v : state.get("clip.calibration").split(",")) {
                if (!v.isEmpty()) {
                    calibration.add(Double.parseDouble(v));
                }
            }
        }
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
        in.defaultReadObject();
        threshold = Double.isNaN(clip) ? OptionalDouble.empty() : OptionalDouble.of(clip);
        epoch = GradientStats.NONE;
    }
}
