package io.rnnsweep.tracking;

import io.rnnsweep.trial.TrialStatus;

/** An MLflow run status, with the integer the file store writes and the name the REST API uses. */
public enum RunStatus {
    /** Running. */
    RUNNING(1),
    /** Scheduled, not started. */
    SCHEDULED(2),
    /** Ended normally. */
    FINISHED(3),
    /** Ended by an error. */
    FAILED(4),
    /** Stopped from outside (cancelled, timed out, early-stopped). */
    KILLED(5);

    private final int code;

    RunStatus(int code) {
        this.code = code;
    }

    /** Returns the integer MLflow's file store writes in a run's meta.yaml. */
    public int code() {
        return code;
    }

    /** Returns whether a run in this status has ended. */
    public boolean terminal() {
        return this == FINISHED || this == FAILED || this == KILLED;
    }

    /** Returns the status with the given file-store integer. */
    public static RunStatus ofCode(int code) {
        for (RunStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("no MLflow run status " + code);
    }

    /** Returns the run status that records a trial's status: diverged trials are FAILED, paused ones RUNNING. */
    public static RunStatus of(TrialStatus trial) {
        return switch (trial) {
            case RUNNING, PAUSED -> RUNNING;
            case FINISHED -> FINISHED;
            case FAILED, DIVERGED -> FAILED;
            case KILLED -> KILLED;
        };
    }
}
