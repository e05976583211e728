package io.rnnsweep.task;

import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * One {@code fit} call's worth of training data, with what the trainer needs to give DL4J's gradient the
 * seeds' meaning.
 *
 * <p>Networks are configured with {@code miniBatch(false)}, so DL4J's score and gradient are the loss
 * <em>summed</em> over every predicted token of an update. {@code objectiveScale} turns that sum into the
 * seed's objective (for PyTorch's mean cross-entropy it is {@code 1 / (sequences * stepsPerUpdate)}); the
 * learning rate and the clipping threshold then apply to the seed's gradient.
 *
 * @param single the data for a layer stack, or null
 * @param multi the data for a computation graph, or null
 * @param sequences sequences in the batch
 * @param stepsPerUpdate predicted time steps per update (the window length under truncated BPTT)
 * @param updates updates this batch makes (windows under truncated BPTT, else 1)
 * @param objectiveScale factor from DL4J's summed-loss gradient to the seed's objective gradient
 */
public record Batch(DataSet single, MultiDataSet multi, int sequences, int stepsPerUpdate, int updates,
                    double objectiveScale) {

    /** Checks that exactly one of the data kinds is given and the counts are positive. */
    public Batch {
        if ((single == null) == (multi == null)) {
            throw new IllegalArgumentException("a batch holds either a DataSet or a MultiDataSet");
        }
        if (sequences < 1 || stepsPerUpdate < 1 || updates < 1 || !(objectiveScale > 0)) {
            throw new IllegalArgumentException("sequences, steps, updates and scale must be positive");
        }
    }

    /** A layer-stack batch whose loss is the mean over its tokens (PyTorch's default reduction). */
    public static Batch meanOver(DataSet data, int stepsPerUpdate, int updates) {
        int sequences = (int) data.getFeatures().size(0);
        return new Batch(data, null, sequences, stepsPerUpdate, updates, 1.0 / ((double) sequences * stepsPerUpdate));
    }

    /** Returns the predicted tokens in one update. */
    public long tokensPerUpdate() {
        return (long) sequences * stepsPerUpdate;
    }

    /** Returns the predicted tokens in the whole batch. */
    public long tokens() {
        return tokensPerUpdate() * updates;
    }
}
