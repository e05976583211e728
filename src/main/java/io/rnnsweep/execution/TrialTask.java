package io.rnnsweep.execution;

import io.rnnsweep.trial.Divergence;
import io.rnnsweep.trial.TrialConfig;
import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One trial as it travels to an executor: its typed configuration and how it is run and recorded.
 *
 * @param sweep the sweep's name
 * @param index the trial's index in the sweep, from 0
 * @param config what the trial trains with (the task's defaults under the spec's fixed and chosen options); the
 *     executor sets only its threads
 * @param options the options the spec set for the trial (fixed and chosen), by user-facing name, as users wrote
 *     them: the trial's params, and what a resumed sweep compares
 * @param timeoutMillis the trial's time limit in milliseconds, 0 for none
 * @param tracking where the executor records the trial; null for no recording
 * @param segment which epochs this job trains, between checkpoints; null for the whole trial in one job
 * @param divergence when the trial counts as diverged though its losses are finite (the spec's {@code divergence})
 */
public record TrialTask(String sweep, int index, TrialConfig config, Map<String, String> options,
                        long timeoutMillis, TrialRecorder tracking, Segment segment, Divergence divergence)
        implements Serializable {
    /** Copies the options into a serializable, ordered map. */
    public TrialTask {
        Objects.requireNonNull(sweep, "sweep");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(divergence, "divergence");
        options = new LinkedHashMap<>(options);
    }

    /** Creates an unrecorded trial with the default divergence limits. */
    public TrialTask(String sweep, int index, TrialConfig config, Map<String, String> options, long timeoutMillis) {
        this(sweep, index, config, options, timeoutMillis, null, null, Divergence.DEFAULT);
    }

    /** Returns this trial, recorded through the given recorder. */
    public TrialTask tracked(TrialRecorder recorder) {
        return new TrialTask(sweep, index, config, options, timeoutMillis, recorder, segment, divergence);
    }

    /** Returns this trial restricted to one segment of its epochs. */
    public TrialTask segment(Segment part) {
        return new TrialTask(sweep, index, config, options, timeoutMillis, tracking, part, divergence);
    }

    /** Returns this trial judged diverged by the given limits. */
    public TrialTask diverging(Divergence limits) {
        return new TrialTask(sweep, index, config, options, timeoutMillis, tracking, segment, limits);
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
