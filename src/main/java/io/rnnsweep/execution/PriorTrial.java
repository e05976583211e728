package io.rnnsweep.execution;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A trial of an earlier run of the sweep (a driver that died), as a resumed sweep takes it up: kept as it ended,
 * continued from the checkpoint at its rung, or restarted.
 *
 * @param index the trial's index in the sweep
 * @param options the options it ran with, by user-facing name (the searcher must propose the same again)
 * @param outcome what it came to: terminal (kept), PAUSED with the epochs its checkpoint holds (continued), or
 *     null when it restarts from its first epoch
 * @param epochTimes when each of the outcome's epochs was recorded (epoch-millis, or any increasing count): the
 *     resumed sweep tells the scheduler the earlier run's results in that order, as they came
 * @param stoppedAtRung whether a scheduler stopped it (KILLED) where it waited at a rung: the resumed sweep's
 *     scheduler hears its last result as a pause there and stops it again itself, as a synchronous rung decides
 *     only when every trial alive has reached it
 */
public record PriorTrial(int index, Map<String, String> options, TrialOutcome outcome, List<Long> epochTimes,
                         boolean stoppedAtRung) {
    /** Copies the options and times; checks there is a time for each epoch. */
    public PriorTrial {
        options = Map.copyOf(Objects.requireNonNull(options, "options"));
        epochTimes = List.copyOf(epochTimes);
        if (outcome != null && epochTimes.size() != outcome.epochs().size()) {
            throw new IllegalArgumentException("trial " + index + ": " + outcome.epochs().size() + " epochs, "
                    + epochTimes.size() + " times");
        }
    }

    /** Creates a prior trial that no scheduler stopped at a rung. */
    public PriorTrial(int index, Map<String, String> options, TrialOutcome outcome, List<Long> epochTimes) {
        this(index, options, outcome, epochTimes, false);
    }

    /** What a resumed sweep does with a trial of its earlier run. */
    public enum Fate {
        /** It ended: kept as it is, never trained again. */
        KEPT,
        /** It waited at a rung (or trained past it): continues from the checkpoint there. */
        CONTINUED,
        /** It was running with no checkpoint: trains again from its first epoch, in its own run. */
        RESTARTED
    }

    /** Returns what the resumed sweep does with this trial. */
    public Fate fate() {
        return outcome == null ? Fate.RESTARTED : outcome.status().isTerminal() ? Fate.KEPT : Fate.CONTINUED;
    }
}
