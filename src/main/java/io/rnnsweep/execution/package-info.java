/**
 * Running a sweep on the driver: one loop ({@code SweepLoop}, behind {@code SweepController}) asks the searcher
 * for trials (ask/tell), hands them to a trial executor with bounded concurrency — each whole trial in one job,
 * or under an early-stopping scheduler in segments between checkpoints; running trials store their checkpoint
 * every {@code execution.checkpoint_every} epochs so a resumed sweep continues them — tells the scheduler and the
 * searcher every result, and passes every event to its callbacks (console progress here; MLflow tracking
 * implements them in {@code tracking}). A trial travels as a {@code TrialTask} with its typed
 * {@code TrialConfig} and a {@code TrialRecorder} (MLflow's, from {@code tracking}) that records it wherever it
 * trains; this package imports neither Spark nor MLflow nor {@code tracking}. Trial executors: Spark's (in
 * {@code spark}) and an in-process one for tests.
 */
package io.rnnsweep.execution;
