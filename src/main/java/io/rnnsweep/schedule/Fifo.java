package io.rnnsweep.schedule;

/** No early stopping: every trial trains all its epochs in one segment (divergence still stops a trial). */
public final class Fifo implements Scheduler {
    @Override
    public Decision onResult(int trial, int epoch, double value) {
        return Decision.CONTINUE;
    }
}
