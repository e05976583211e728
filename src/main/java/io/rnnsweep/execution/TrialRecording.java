package io.rnnsweep.execution;

import io.rnnsweep.train.EpochListener;
import io.rnnsweep.trial.TrialStatus;
import java.util.List;
import java.util.Map;

/** A trial's open record on the executor that trains it: hears every epoch, takes tags, and ends. */
public interface TrialRecording extends EpochListener {

    /** Records tags, in order with the epochs heard before them. */
    void tag(Map<String, String> tags);

    /**
     * Ends the record of a trial whose every epoch this executor trained: how it ended, why, the task's report.
     *
     * @param perplexity whether the task's loss is cross-entropy (its curve shows perplexity)
     * @return records that could not be sent, for the driver to replay
     */
    List<? extends UnsentRecord> finish(TrialStatus status, String cause, List<String> report, boolean perplexity);

    /**
     * Ends one segment of a trial and leaves the record open for its next segment or for the driver, which ends
     * it with the whole trial.
     *
     * @return records that could not be sent, for the driver to replay
     */
    List<? extends UnsentRecord> finishSegment(TrialStatus status);

    /**
     * Whether {@link #finish} left the record in its terminal status with every record sent: the driver then has
     * nothing to check or replay for the trial's end.
     */
    boolean ended();
}
