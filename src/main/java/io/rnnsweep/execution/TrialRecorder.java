package io.rnnsweep.execution;

import java.io.Serializable;
import java.util.Map;

/**
 * Where an executor records a trial as it trains (its MLflow run, in practice): it travels with the trial, and
 * opens the trial's record wherever the trial runs.
 */
public interface TrialRecorder extends Serializable {

    /** Thrown when the record's store is in an outage already reported: the trial trains unrecorded, quietly. */
    final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** Creates it with the failure that found the store still down. */
        public Unavailable(Throwable cause) {
            super(cause);
        }
    }

    /**
     * Opens the trial's record for this attempt or segment: the one it already has (a retried attempt or a later
     * segment continues it, skipping the epochs it holds), else a new one.
     *
     * @param where tags saying where this attempt runs: host, process, GPU, BLAS library
     * @param nextSegment whether this is the first attempt of a segment after the trial's first
     * @param firstOpening whether this is the trial's very first attempt (attempt 0 of its first segment)
     * @throws Unavailable when the record's store is in an outage already reported
     * @throws RuntimeException when the record cannot be reached; the trial then trains unrecorded and the driver
     *     records it when it comes back
     */
    TrialRecording open(Map<String, String> where, boolean nextSegment, boolean firstOpening);
}
