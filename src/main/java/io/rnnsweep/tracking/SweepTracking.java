package io.rnnsweep.tracking;

import io.rnnsweep.execution.SweepCallback;
import io.rnnsweep.execution.SweepController;
import io.rnnsweep.execution.TrialOutcome;
import io.rnnsweep.execution.TrialRunner;
import io.rnnsweep.execution.TrialTask;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.task.LossKind;
import io.rnnsweep.task.Tasks;
import io.rnnsweep.trial.TrialConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sweep's MLflow side, as a callback of its loop: each new trial gets the handle its executor logs its run
 * with (a child of the sweep's parent run, named like {@code hello-rnn-h8-l2-lr0.05-clipnone}), a paused trial's
 * run is tagged with where it waits, and an ended trial's run ends with its whole outcome.
 */
public final class SweepTracking implements SweepCallback {
    private final SweepSpec spec;
    private final SweepRun run;
    private final boolean perplexity;

    /** Creates the callback that logs {@code spec}'s trials under {@code run}'s parent run. */
    public SweepTracking(SweepSpec spec, SweepRun run) {
        this.spec = spec;
        this.run = run;
        this.perplexity = Tasks.get(spec.task()).loss() == LossKind.CROSS_ENTROPY;
    }

    @Override
    public TrialTask trialCreated(TrialTask task) {
        TrialConfig config = SweepController.config(spec, task);
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("rnnsweep.sweep", spec.name());
        tags.put("rnnsweep.task", spec.task().key());
        tags.put("rnnsweep.seed", Long.toString(config.seed()));
        tags.put("rnnsweep.trial_index", Integer.toString(task.index()));
        return task.tracked(run.trial(task.id(), config.runName(), task.options(), tags));
    }

    @Override
    public void trialPaused(TrialTask task, int rung, boolean promoted, TrialOutcome segment) {
        run.trialPaused(task.tracking(), Map.of("rnnsweep.rung", Integer.toString(rung),
                "rnnsweep.status", promoted ? "PROMOTED" : "PAUSED"), segment.unsentTracking());
    }

    @Override
    public void trialEnded(TrialTask task, TrialOutcome o, Map<String, String> tags) {
        run.trialEnded(task.tracking(), o.status(), o.cause(), o.epochs(), o.report(), perplexity,
                TrialRunner.where(o.host(), o.pid(), o.gpu(), o.blas()), o.unsentTracking(), tags);
    }
}
