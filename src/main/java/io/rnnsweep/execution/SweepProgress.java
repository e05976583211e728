package io.rnnsweep.execution;

/**
 * Where a sweep stands after one segment or trial came back: what the console progress line says.
 *
 * @param trial the trial that came back, such as {@code trial-007}
 * @param epochs the epochs that trial has trained
 * @param value the objective after its last epoch (NaN when none)
 * @param state what became of it: running, paused, promoted, stopped, finished, failed, diverged, killed
 * @param started trials started so far
 * @param total trials the sweep plans
 * @param running segments or trials running now
 * @param paused trials waiting at a rung (paused or promoted)
 * @param stopped trials a scheduler stopped, or killed
 * @param finished trials trained to their end
 * @param failed trials that failed or diverged
 * @param done trials that ended, in any way
 * @param sweepEpochs epochs trained over the whole sweep
 * @param best the best objective value so far (NaN when none)
 * @param elapsedSeconds seconds since the sweep started
 */
public record SweepProgress(String trial, int epochs, double value, String state, int started, int total,
                            int running, int paused, int stopped, int finished, int failed, int done,
                            int sweepEpochs, double best, double elapsedSeconds) {
}
