package io.rnnsweep.tracking;

import io.rnnsweep.execution.SweepCallback;
import io.rnnsweep.execution.SweepResult;
import io.rnnsweep.execution.TrialOutcome;
import io.rnnsweep.execution.TrialRunner;
import io.rnnsweep.execution.TrialTask;
import io.rnnsweep.execution.UnsentRecord;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.task.LossKind;
import io.rnnsweep.task.Tasks;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sweep's MLflow side, as a callback of its loop: each new trial gets the handle its executor logs its run
 * with (a child of the sweep's parent run, named like {@code hello-rnn-h8-l2-lr0.05-clipnone}), a paused trial's
 * run is tagged with where it waits, an ended trial's run ends with its whole outcome, and a cancelled sweep's
 * result gets back the epochs its trials' runs hold.
 */
public final class SweepTracking implements SweepCallback {
    private final SweepSpec spec;
    private final SweepRun run;
    private final boolean perplexity;
    /** The handle each trial's executor logs with, by trial index. */
    private final Map<Integer, TrialRunHandle> handles = new HashMap<>();

    /** The runs a resumed sweep's earlier trials already have, by trial index. */
    private final Map<Integer, String> existing;

    /** Creates the callback that logs {@code spec}'s trials under {@code run}'s parent run. */
    public SweepTracking(SweepSpec spec, SweepRun run) {
        this(spec, run, Map.of());
    }

    /**
     * Creates the callback of a resumed sweep, whose earlier trials keep their runs.
     *
     * @param existing the run id of each earlier trial, by trial index
     */
    public SweepTracking(SweepSpec spec, SweepRun run, Map<Integer, String> existing) {
        this.spec = spec;
        this.run = run;
        this.existing = Map.copyOf(existing);
        this.perplexity = Tasks.get(spec.task()).loss() == LossKind.CROSS_ENTROPY;
    }

    @Override
    public TrialTask trialCreated(TrialTask task) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("rnnsweep.sweep", spec.name());
        tags.put("rnnsweep.task", spec.task().key());
        tags.put("rnnsweep.seed", Long.toString(task.config().seed()));
        tags.put("rnnsweep.trial_index", Integer.toString(task.index()));
        TrialRunHandle handle = run.trial(task.id(), task.config().runName(), task.options(), tags,
                existing.get(task.index()));
        handles.put(task.index(), handle);
        return task.tracked(handle);
    }

    @Override
    public void trialPaused(TrialTask task, int rung, boolean promoted, TrialOutcome segment) {
        run.trialPaused(handles.get(task.index()), Map.of("rnnsweep.rung", Integer.toString(rung),
                TrialRun.STATUS_TAG, promoted ? "PROMOTED" : "PAUSED"), batches(segment.unsentTracking()));
    }

    @Override
    public void trialEnded(TrialTask task, TrialOutcome o, Map<String, String> tags) {
        TrialRunHandle handle = handles.remove(task.index());
        if (o.runEnded()) {
            // Its executor ended the run and sent everything: the driver's check would find it ended and stop
            // there (a round trip with every metric of the run, on the path to the next trial).
            return;
        }
        run.trialEnded(handle, o.status(), o.cause(), o.epochs(), o.report(), perplexity,
                TrialRunner.where(o.host(), o.pid(), o.gpu(), o.blas()), batches(o.unsentTracking()), tags);
    }

    /** A cancelled sweep's trials bring no epochs back from their killed jobs: their runs hold them. */
    @Override
    public SweepResult sweepCompleting(SweepResult result, boolean cancelled) {
        return cancelled ? result.withStoredEpochs(SweepJournal.storedEpochs(run)) : result;
    }

    /** Returns the records an executor could not send that are this callback's own: its runs' batches. */
    private static List<PendingBatch> batches(List<UnsentRecord> unsent) {
        return unsent.stream().filter(PendingBatch.class::isInstance).map(PendingBatch.class::cast).toList();
    }
}
