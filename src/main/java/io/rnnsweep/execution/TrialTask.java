package io.rnnsweep.execution;

import io.rnnsweep.tracking.TrialRunHandle;
import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One trial as it travels to an executor: plain, serializable values from which the executor rebuilds the
 * trial's configuration.
 *
 * @param sweep the sweep's name
 * @param index the trial's index in the sweep, from 0
 * @param task the task's name
 * @param options every option set for the trial (fixed and chosen), by user-facing name
 * @param timeoutMillis the trial's time limit in milliseconds, 0 for none
 * @param tracking how the executor logs the trial to MLflow; null for no tracking
 * @param segment which epochs this job trains, between checkpoints; null for the whole trial in one job
 */
public record TrialTask(String sweep, int index, String task, Map<String, String> options, long timeoutMillis,
                        TrialRunHandle tracking, Segment segment) implements Serializable {
    /** Copies the options into a serializable, ordered map. */
    public TrialTask {
        Objects.requireNonNull(sweep, "sweep");
        Objects.requireNonNull(task, "task");
        options = new LinkedHashMap<>(options);
    }

    /** Creates an untracked trial. */
    public TrialTask(String sweep, int index, String task, Map<String, String> options, long timeoutMillis) {
        this(sweep, index, task, options, timeoutMillis, null, null);
    }

    /** Returns this trial, logged to MLflow through the given handle. */
    public TrialTask tracked(TrialRunHandle handle) {
        return new TrialTask(sweep, index, task, options, timeoutMillis, handle, segment);
    }

    /** Returns this trial restricted to one segment of its epochs. */
    public TrialTask segment(Segment part) {
        return new TrialTask(sweep, index, task, options, timeoutMillis, tracking, part);
    }

    /** Returns the trial's id, unique within the sweep, such as {@code hello-grid/trial-003}. */
    public String id() {
        return sweep + "/trial-" + String.format("%03d", index);
    }

    /** Returns the time limit, if any. */
    public java.util.Optional<Duration> timeout() {
        return timeoutMillis > 0 ? java.util.Optional.of(Duration.ofMillis(timeoutMillis)) : java.util.Optional.empty();
    }
}
