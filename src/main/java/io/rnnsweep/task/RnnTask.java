package io.rnnsweep.task;

import io.rnnsweep.trial.Divergence;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** One documented RNN task: its defaults (the seed's settings), the options it takes, and its sessions. */
public interface RnnTask {

    /** Returns the task's name. */
    TaskName name();

    /** Returns one line describing the task and the seed's result. */
    String summary();

    /** Returns the seed's settings as a trial configuration. */
    TrialConfig defaults();

    /** Returns the options that apply to this task; others are rejected. */
    Set<TrialOption> options();

    /** Returns the loss the task trains on. */
    LossKind loss();

    /**
     * Returns what a prediction that ignores the input costs in the task's loss (per token or step, as the loss is
     * averaged): the yardstick of {@link io.rnnsweep.trial.Divergence}; empty for a task that does not train.
     */
    default Optional<Divergence.Baseline> noSkill(TrialConfig config) {
        return Optional.empty();
    }

    /** Returns the names of the task's own per-epoch metrics (besides losses, perplexity and gradient health). */
    List<String> metrics();

    /** Returns whether the task's network is a layer stack (else a graph); data-parallel training needs one. */
    default boolean layerStack() {
        return true;
    }

    /**
     * Loads and checks the task's data for one trial.
     *
     * @throws io.rnnsweep.trial.InvalidOptionException when an option does not fit the data (a corpus that is
     *     missing, empty or shorter than one batch, a batch larger than the data set)
     */
    TaskSession open(TrialConfig config);
}
