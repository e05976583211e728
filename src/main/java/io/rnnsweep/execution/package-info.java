/**
 * Running a sweep on the driver: the controller asks the searcher for trials, hands them to a trial executor
 * with bounded concurrency, follows progress, and writes the sweep's output folder; no Spark imports here.
 */
package io.rnnsweep.execution;
