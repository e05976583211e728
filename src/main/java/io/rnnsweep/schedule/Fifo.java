package io.rnnsweep.schedule;

/** No early stopping: every trial trains all its epochs (divergence still stops a trial in the trainer). */
public final class Fifo implements Scheduler {
    @Override
    public Decision onResult(int trial, int epoch, double value) {
        return Decision.CONTINUE;
    }
}
