package io.rnnsweep.execution;

import io.rnnsweep.search.Searcher;
import io.rnnsweep.search.Suggestion;
import io.rnnsweep.search.TpeSearch;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.trial.TrialOption;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a sweep on the driver: the one loop ({@link SweepLoop}) asks the spec's searcher for trials and hands
 * them to the trial executor, at most {@code maxConcurrent} at once from a pool of driver threads, under the
 * spec's scheduler; the callbacks hear every event (console progress, tracking).
 */
public final class SweepController {
    private final SweepSpec spec;
    private final TrialExecutor executor;
    private final int maxConcurrent;
    private final String checkpointDir;
    private final List<SweepCallback> callbacks;
    private List<TpeSearch.Observation> warm = List.of();

    /**
     * Creates the controller of an untracked sweep whose progress lines go to {@code progress}.
     *
     * @param spec the validated sweep (without an early-stopping scheduler: see the other constructor)
     * @param executor where trials run
     * @param maxConcurrent trials in flight at once
     * @param progress where the progress lines go
     */
    public SweepController(SweepSpec spec, TrialExecutor executor, int maxConcurrent, PrintWriter progress) {
        this(spec, executor, maxConcurrent, null, List.of(new ConsoleProgress(spec, progress)));
    }

    /**
     * Creates the controller of a sweep whose trials keep their checkpoints under {@code checkpointDir} (a folder
     * or Hadoop FileSystem URI every executor can reach: where a scheduler's paused trials wait, and where
     * running trials store theirs every {@code execution.checkpoint_every} epochs; null for none, which only a
     * sweep without early stopping may do), telling {@code callbacks} every event in order.
     *
     * @throws IllegalArgumentException when a segmented scheduler has no checkpoint folder, or the concurrency is
     *     not positive
     */
    public SweepController(SweepSpec spec, TrialExecutor executor, int maxConcurrent, String checkpointDir,
                           List<SweepCallback> callbacks) {
        if (spec.scheduler().segmented() && checkpointDir == null) {
            throw new IllegalArgumentException("scheduler " + spec.scheduler().algorithm().key()
                    + " needs a checkpoint folder");
        }
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("max concurrency must be positive, got " + maxConcurrent);
        }
        this.spec = spec;
        this.executor = executor;
        this.maxConcurrent = maxConcurrent;
        this.checkpointDir = checkpointDir;
        this.callbacks = List.copyOf(callbacks);
    }

    /**
     * Returns the tasks of the trials a fresh searcher proposes before any result (every trial of a grid or
     * random search), in trial order: what {@code --dry-run} lists.
     */
    public static List<TrialTask> tasks(SweepSpec spec) {
        List<TrialTask> out = new ArrayList<>();
        for (Map<TrialOption, String> chosen : Searcher.planned(spec.searcher())) {
            out.add(SweepLoop.task(spec, out.size(), Suggestion.trial(chosen)));
        }
        return out;
    }

    /** Seeds the sweep's model-based searcher with observations of earlier sweeps; returns this controller. */
    public SweepController warmStart(List<TpeSearch.Observation> observations) {
        this.warm = List.copyOf(observations);
        return this;
    }

    /** Runs the sweep to its end and returns its result; trials that fail do not stop the sweep. */
    public SweepResult run() throws InterruptedException {
        return resume(List.of());
    }

    /**
     * Runs a sweep whose earlier run did not finish to its end, taking up that run's trials first (see
     * {@link PriorTrial}), and returns the whole sweep's result.
     *
     * @throws IllegalArgumentException when the spec's searcher proposes other trials than the earlier run trained
     */
    public SweepResult resume(List<PriorTrial> prior) throws InterruptedException {
        return new SweepLoop(spec, spec.searcher(warm), executor, maxConcurrent, checkpointDir, callbacks, prior).run();
    }

    /** Returns where trial {@code index} keeps its checkpoint in the sweep's checkpoint folder {@code dir}. */
    public static String checkpoint(String dir, int index) {
        return (dir.endsWith("/") ? dir : dir + "/") + String.format("trial-%03d.zip", index);
    }

    /** Returns the chosen values of a trial for display, in the space's order. */
    static Map<String, String> chosen(SweepSpec spec, TrialTask task) {
        Map<String, String> out = new LinkedHashMap<>();
        for (TrialOption o : spec.space().keySet()) {
            out.put(o.key(), task.options().get(o.key()));
        }
        return out;
    }
}
