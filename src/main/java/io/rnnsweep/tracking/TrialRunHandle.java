package io.rnnsweep.tracking;

import io.rnnsweep.execution.TrialRecorder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.mlflow.api.proto.Service;

/**
 * What an executor needs to log a trial as a child run of its sweep's parent run.
 *
 * @param target the tracking server
 * @param experimentId the sweep's experiment
 * @param parentRunId the sweep's parent run
 * @param trialId the trial's id within the sweep (the run's {@code rnnsweep.trial_id} tag, by which a
 *     retried task finds its run)
 * @param runName the readable run name
 * @param params the trial's chosen values and fixed options, by option name
 * @param tags tags set when the run is created (task, seed, ...)
 * @param runId the trial's run, when the driver created it (or a resumed sweep found it); null when the first
 *     executor to open it creates it (or finds it by its identity tags)
 * @param createdArtifactUri the artifact URI of the run when the driver created it for this trial just now: it
 *     holds no epoch and no attempt opened it yet, so the trial's first attempt need not read it back; else null
 */
public record TrialRunHandle(TrackingTarget target, String experimentId, String parentRunId, String trialId,
                             String runName, Map<String, String> params, Map<String, String> tags, String runId,
                             String createdArtifactUri)
        implements TrialRecorder {
    /** The tag holding the trial's id. */
    public static final String TRIAL_ID_TAG = "rnnsweep.trial_id";
    /** MLflow's tag linking a child run to its parent. */
    public static final String PARENT_TAG = "mlflow.parentRunId";

    /** Copies the maps into serializable, ordered ones. */
    public TrialRunHandle {
        Objects.requireNonNull(target, "target");
        params = new LinkedHashMap<>(params);
        tags = new LinkedHashMap<>(tags);
    }

    /** A handle of a run the driver did not just create (null {@code runId}: nobody created it yet). */
    public TrialRunHandle(TrackingTarget target, String experimentId, String parentRunId, String trialId,
                          String runName, Map<String, String> params, Map<String, String> tags, String runId) {
        this(target, experimentId, parentRunId, trialId, runName, params, tags, runId, null);
    }

    /** Opens the trial's MLflow run on the executor ({@link TrialRun#open}). */
    @Override
    public TrialRun open(Map<String, String> where, boolean nextSegment, boolean firstOpening) {
        try {
            return TrialRun.open(this, where, nextSegment ? TrialRun.Opening.NEXT_SEGMENT
                    : createdArtifactUri != null && firstOpening ? TrialRun.Opening.FIRST : TrialRun.Opening.ATTEMPT);
        } catch (RuntimeException e) {
            if (Retry.duringOutage(target, e)) {
                throw new TrialRecorder.Unavailable(e);
            }
            throw e;
        }
    }

    /** Returns this handle naming the trial's run, so that nobody has to search for it. */
    public TrialRunHandle withRunId(String id) {
        return new TrialRunHandle(target, experimentId, parentRunId, trialId, runName, params, tags, id, null);
    }

    /** Returns this handle naming the run the driver just created for the trial (empty, never opened). */
    TrialRunHandle withCreatedRun(Service.RunInfo run) {
        return new TrialRunHandle(target, experimentId, parentRunId, trialId, runName, params, tags, run.getRunId(),
                run.getArtifactUri());
    }

    /** Returns the tags that identify this trial's run. */
    Map<String, String> identity() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(PARENT_TAG, parentRunId);
        m.put(TRIAL_ID_TAG, trialId);
        return m;
    }
}
