package io.rnnsweep.train;

import io.rnnsweep.trial.EpochResult;

/** Receives each epoch's result as it is produced: progress printing, tracking, early stopping. */
@FunctionalInterface
public interface EpochListener {
    /** Called after every epoch; returning {@link EpochDecision#STOP} ends the trial after this epoch. */
    EpochDecision onEpoch(EpochResult result);
}
