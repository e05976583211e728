package io.rnnsweep.execution;

import java.io.Serializable;
import java.util.Objects;

/**
 * A stretch of a trial's epochs trained as one Spark job, with the trial's checkpoint read at its start (when it
 * continues the trial) and stored as it goes.
 *
 * @param from the epochs already trained (0: start fresh; otherwise resume from {@code checkpoint})
 * @param until the last epoch of this segment
 * @param checkpoint the trial's checkpoint, as a URI or path the {@link CheckpointStore} understands
 * @param keepFinal whether a trial that finishes in this segment stores its final checkpoint too
 * @param every store the checkpoint after every this many epochs within the segment too (0: only at its end), so
 *     that a sweep resumed after its driver died continues the trial from there
 * @param wholeTrial whether the segment trains the trial to its end unless it stops (no scheduler pauses it):
 *     when it also starts the trial, its executor ends the trial's run itself
 */
public record Segment(int from, int until, String checkpoint, boolean keepFinal, int every, boolean wholeTrial)
        implements Serializable {
    /** Checks the values. */
    public Segment {
        Objects.requireNonNull(checkpoint, "checkpoint");
        if (from < 0 || until <= from) {
            throw new IllegalArgumentException("a segment trains at least one epoch: from " + from + " until " + until);
        }
        if (every < 0) {
            throw new IllegalArgumentException("checkpoint interval must be >= 0, got " + every);
        }
    }

    /**
     * Returns where the checkpoints stored every {@link #every()} epochs go: beside {@link #checkpoint()}, which
     * keeps the one this segment started from (a retried attempt starts from it again) until the segment's end.
     */
    public String latest() {
        return latest(checkpoint);
    }

    /** Returns where the checkpoints stored on the way of a trial whose checkpoint is {@code checkpoint} go. */
    public static String latest(String checkpoint) {
        return (checkpoint.endsWith(".zip") ? checkpoint.substring(0, checkpoint.length() - 4) : checkpoint)
                + "-latest.zip";
    }

    /** Creates a segment a scheduler ends, storing the checkpoint only at its end. */
    public Segment(int from, int until, String checkpoint, boolean keepFinal) {
        this(from, until, checkpoint, keepFinal, 0, false);
    }
}
