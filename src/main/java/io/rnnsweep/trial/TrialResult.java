package io.rnnsweep.trial;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How one trial (or one segment of it) ended: its status, the epochs it ran and the task's final report.
 *
 * @param config the trial's configuration
 * @param status the terminal status, or PAUSED at the end of a segment
 * @param epochs the epoch results of this run, in order
 * @param report the task's human-readable summary (predictions, translations, a sample), possibly empty
 * @param cause why the trial diverged or failed; empty when it finished or was stopped on purpose
 * @param lastEpoch the last epoch completed (0 when none)
 */
public record TrialResult(
        TrialConfig config,
        TrialStatus status,
        List<EpochResult> epochs,
        List<String> report,
        Optional<String> cause,
        int lastEpoch) {

    /** Copies the lists so the record stays immutable. */
    public TrialResult {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(cause, "cause");
        epochs = List.copyOf(epochs);
        report = List.copyOf(report);
        if (status == TrialStatus.RUNNING) {
            throw new IllegalArgumentException("a trial result needs a terminal or paused status, got " + status);
        }
    }

    /** Returns the last epoch's result, if any epoch completed. */
    public Optional<EpochResult> last() {
        return epochs.isEmpty() ? Optional.empty() : Optional.of(epochs.get(epochs.size() - 1));
    }
}
