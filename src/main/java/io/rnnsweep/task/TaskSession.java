package io.rnnsweep.task;

import java.util.List;
import java.util.Set;

/**
 * A task prepared for one trial: its data loaded and checked, ready to build networks and hand out batches.
 *
 * <p>Every random choice (initial weights, window offsets, sampled examples, batch order) is derived from
 * the trial seed and the epoch number, never carried as state, so a network restored from a checkpoint
 * continues exactly as an uninterrupted run would.
 */
public interface TaskSession {

    /** Builds the seed's network, freshly initialized from the trial seed. */
    Network newNetwork();

    /** Returns the training batches of an epoch (counted from 1), in training order. */
    List<Batch> batches(int epoch);

    /** Evaluates the network on held-out data. */
    Evaluation evaluate(Network net);

    /** Returns the task's human-readable summary of the network (predictions, translations, a sample). */
    List<String> report(Network net);

    /** Returns gradient keys (like {@code 0_b}) that stay zero: parameters the seed's network does not have. */
    default Set<String> frozenParameters() {
        return Set.of();
    }
}
