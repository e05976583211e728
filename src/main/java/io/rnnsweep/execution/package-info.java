/**
 * Running a sweep on the driver: one loop ({@code SweepLoop}, behind {@code SweepController}) asks the searcher
 * for trials (ask/tell), hands them to a trial executor with bounded concurrency — each whole trial in one job,
 * or under an early-stopping scheduler in segments between checkpoints — tells the scheduler and the searcher
 * every result, and passes every event to its callbacks (console progress here; MLflow tracking implements them
 * in {@code tracking}). Trial executors: Spark's (in {@code spark}) and an in-process one for tests. No Spark
 * imports here.
 */
package io.rnnsweep.execution;
