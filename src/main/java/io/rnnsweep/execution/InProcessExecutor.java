package io.rnnsweep.execution;

import io.rnnsweep.trial.TrialStatus;
import java.util.List;
import java.util.Objects;

/**
 * Runs trials in this JVM, without Spark: each job on the driver thread that hands it over. With
 * {@link #training} it trains them for real (the same {@link TrialRunner} an executor calls); with a body of the
 * caller's it runs anything that answers like a trial, so the driver's loop, its searchers and schedulers are
 * tested in milliseconds.
 */
public final class InProcessExecutor implements TrialExecutor {
    /** What one job of a trial (the whole trial, or one segment of it) does here. */
    @FunctionalInterface
    public interface Body {
        /** Runs the job and returns its outcome; a failing trial comes back FAILED, not as an exception. */
        TrialOutcome run(TrialTask task);
    }

    private final Body body;
    private final CheckpointStore checkpoints;
    private volatile boolean cancelled;

    /** Creates the executor that runs every job with {@code body}, keeping checkpoints in {@code checkpoints}. */
    public InProcessExecutor(Body body, CheckpointStore checkpoints) {
        this.body = Objects.requireNonNull(body, "body");
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
    }

    /** Returns the executor that trains each trial here on {@code threads} threads, segments included. */
    public static InProcessExecutor training(int threads, CheckpointStore checkpoints) {
        return new InProcessExecutor(task -> TrialRunner.run(task, threads, null, "", List.of(), checkpoints, 0),
                checkpoints);
    }

    @Override
    public TrialOutcome run(TrialTask task) {
        if (cancelled) {
            return TrialOutcome.without(task.index(), TrialStatus.KILLED, "sweep cancelled");
        }
        try {
            return body.run(task);
        } catch (RuntimeException e) {
            return TrialOutcome.without(task.index(), TrialStatus.FAILED, TrialRunner.stackTrace(e));
        }
    }

    @Override
    public CheckpointStore checkpoints() {
        return checkpoints;
    }

    @Override
    public void cancelAll() {
        cancelled = true;
    }

    @Override
    public boolean cancelled() {
        return cancelled;
    }

    @Override
    public void close() {
        cancelled = true;
    }
}
