package io.rnnsweep.execution;

import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.TrialStatus;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What came back from one trial: its status, every epoch's result, the task's report, and where it ran.
 *
 * @param index the trial's index in the sweep
 * @param status the terminal status
 * @param epochs the epoch results, in order
 * @param report the task's summary lines
 * @param cause why it failed, diverged or was killed; empty otherwise
 * @param host the host the trial ran on
 * @param pid the process id of the JVM the trial ran in
 * @param seconds wall seconds the trial took where it ran
 * @param gpu the GPU device the trial was bound to; empty on CPU
 * @param blas the BLAS library the trial's JVM called ({@code bundled}, {@code system}, {@code cublas}); empty
 *     when the trial did not run
 * @param unsentTracking records the executor could not send (the tracking server stayed unreachable), for the
 *     driver to replay
 * @param placements where the epochs were trained, in order: each from its first epoch until the next one's
 *     (a trial's segments may run on different executors); by default all of them on {@code host}/{@code pid}
 * @param runEnded whether the executor left the trial's run in this terminal status at the tracking server with
 *     every record sent ({@link TrialRecording#ended()}): the driver has nothing to check or replay
 */
public record TrialOutcome(int index, TrialStatus status, List<EpochResult> epochs, List<String> report,
                           String cause, String host, long pid, double seconds, String gpu, String blas,
                           List<UnsentRecord> unsentTracking, List<Placement> placements, boolean runEnded)
        implements Serializable {

    /**
     * Where a run of a trial's epochs was trained.
     *
     * @param fromEpoch the first of them
     * @param host the host
     * @param pid the process id of the JVM
     */
    public record Placement(int fromEpoch, String host, long pid) implements Serializable {
    }

    /** Copies the lists into serializable ones. */
    public TrialOutcome {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(gpu, "gpu");
        Objects.requireNonNull(blas, "blas");
        epochs = new ArrayList<>(epochs);
        report = new ArrayList<>(report);
        unsentTracking = new ArrayList<>(unsentTracking);
        placements = new ArrayList<>(placements.isEmpty() && !epochs.isEmpty()
                ? List.of(new Placement(epochs.get(0).epoch(), host, pid)) : placements);
    }

    /** Creates an outcome whose run the driver ends or checks. */
    public TrialOutcome(int index, TrialStatus status, List<EpochResult> epochs, List<String> report, String cause,
                        String host, long pid, double seconds, String gpu, String blas,
                        List<UnsentRecord> unsentTracking, List<Placement> placements) {
        this(index, status, epochs, report, cause, host, pid, seconds, gpu, blas, unsentTracking, placements, false);
    }

    /** Creates an outcome whose epochs were all trained where it ran. */
    public TrialOutcome(int index, TrialStatus status, List<EpochResult> epochs, List<String> report, String cause,
                        String host, long pid, double seconds, String gpu, String blas,
                        List<UnsentRecord> unsentTracking) {
        this(index, status, epochs, report, cause, host, pid, seconds, gpu, blas, unsentTracking, List.of());
    }

    /** Creates an outcome with nothing left to send to the tracking server. */
    public TrialOutcome(int index, TrialStatus status, List<EpochResult> epochs, List<String> report, String cause,
                        String host, long pid, double seconds, String gpu, String blas) {
        this(index, status, epochs, report, cause, host, pid, seconds, gpu, blas, List.of());
    }

    /** Returns an outcome for a trial that produced nothing: failed to start, or cancelled before it ran. */
    public static TrialOutcome without(int index, TrialStatus status, String cause) {
        return new TrialOutcome(index, status, List.of(), List.of(), cause, "", -1, 0, "", "");
    }

    /** Returns this outcome recording the GPU device the trial ran on. */
    public TrialOutcome onGpu(String device) {
        return new TrialOutcome(index, status, epochs, report, cause, host, pid, seconds, device, blas,
                unsentTracking, placements, runEnded);
    }

    /**
     * Returns this outcome (a trial's last segment) as the whole trial's: every epoch its segments trained and
     * the seconds they took together.
     */
    public TrialOutcome wholeTrial(List<EpochResult> allEpochs, double allSeconds) {
        return new TrialOutcome(index, status, allEpochs, report, cause, host, pid, allSeconds, gpu, blas,
                unsentTracking, List.of(), runEnded);
    }

    /**
     * Returns this outcome as the whole trial's, as {@link #wholeTrial(List, double)} does, saying where each of
     * its segments trained.
     */
    public TrialOutcome wholeTrial(List<EpochResult> allEpochs, double allSeconds, List<Placement> where) {
        return new TrialOutcome(index, status, allEpochs, report, cause, host, pid, allSeconds, gpu, blas,
                unsentTracking, where, runEnded);
    }

    /** Returns where epoch {@code epoch} was trained: the placement it falls in, else where the outcome ran. */
    public Placement placementOf(int epoch) {
        Placement found = new Placement(epoch, host, pid);
        for (Placement p : placements) {
            if (p.fromEpoch() <= epoch) {
                found = p;
            }
        }
        return found;
    }

    /** Returns this outcome with another status and cause (a trial the driver killed), keeping the rest. */
    public TrialOutcome killed(String why) {
        return new TrialOutcome(index, TrialStatus.KILLED, epochs, List.of(), why, host, pid, seconds, gpu, blas,
                unsentTracking, placements);
    }
}
