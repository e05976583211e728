package io.rnnsweep.train;

import io.rnnsweep.task.Batch;
import io.rnnsweep.task.Network;
import java.util.List;

/**
 * Trains a network on one epoch's batches somewhere other than the trainer's thread (across a cluster, for
 * data-parallel trials), leaving the network holding the trained parameters.
 */
public interface EpochFitter {

    /**
     * Trains {@code net} on the epoch's batches with the seeds' gradient semantics of {@code control} (see
     * {@link GradientControl#forShards}), and returns the epoch's loss and gradient statistics.
     *
     * @throws DivergedException when a loss or gradient went NaN or infinite
     */
    GradientStats fitEpoch(Network net, List<Batch> batches, GradientControl control);
}
