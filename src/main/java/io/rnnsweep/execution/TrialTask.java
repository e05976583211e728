package io.rnnsweep.execution;

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
 */
public record TrialTask(String sweep, int index, String task, Map<String, String> options, long timeoutMillis)
        implements Serializable {
    /** Copies the options into a serializable, ordered map. */
    public TrialTask {
        Objects.requireNonNull(sweep, "sweep");
        Objects.requireNonNull(task, "task");
        options = new LinkedHashMap<>(options);
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
