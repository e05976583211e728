/**
 * Running a sweep on the driver: the controller asks the searcher for trials, hands them to a trial executor
 * with bounded concurrency, follows progress, and writes the sweep's output folder; under an early-stopping
 * scheduler it trains trials in segments between checkpoints and acts on the scheduler's decisions. No Spark
 * imports here.
 */
package io.rnnsweep.execution;
