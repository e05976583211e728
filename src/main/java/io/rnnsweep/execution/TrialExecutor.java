package io.rnnsweep.execution;

/** Runs trials somewhere (a Spark cluster, for instance); one call per trial, from several threads at once. */
public interface TrialExecutor extends AutoCloseable {

    /**
     * Runs the trial to its end and returns what came back; never throws for a failing trial, which comes
     * back FAILED with its cause, or KILLED when it timed out or was cancelled.
     */
    TrialOutcome run(TrialTask task);

    /** Returns where segmented trials keep their checkpoints, as seen from the driver. */
    CheckpointStore checkpoints();

    /** Cancels every running trial; their outcomes come back KILLED. */
    void cancelAll();

    /** Returns whether {@link #cancelAll()} was called: no more trials should start. */
    boolean cancelled();

    @Override
    void close();
}
