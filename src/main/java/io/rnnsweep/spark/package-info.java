/**
 * The only package that imports Spark: runs each trial as a single-task Spark job (the SparkTrials pattern),
 * all jobs of a sweep in one job group, each trial's job tagged so a timeout cancels just that trial.
 */
package io.rnnsweep.spark;
