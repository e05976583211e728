package io.rnnsweep.execution;

import java.io.Serializable;
import java.util.Objects;

/**
 * A stretch of a trial's epochs trained as one Spark job, between checkpoints.
 *
 * @param from the epochs already trained (0: start fresh; otherwise resume from {@code checkpoint})
 * @param until the last epoch of this segment
 * @param checkpoint the trial's checkpoint, as a URI or path the {@link CheckpointStore} understands
 * @param keepFinal whether a trial that finishes in this segment stores its final checkpoint too
 */
public record Segment(int from, int until, String checkpoint, boolean keepFinal) implements Serializable {
    /** Checks the values. */
    public Segment {
        Objects.requireNonNull(checkpoint, "checkpoint");
        if (from < 0 || until <= from) {
            throw new IllegalArgumentException("a segment trains at least one epoch: from " + from + " until " + until);
        }
    }
}
