/**
 * The only package that imports Spark: runs each trial (or segment of one) as a single-task Spark job (the
 * SparkTrials pattern), all jobs of a sweep in one job group, each trial's job tagged so a timeout cancels just
 * that trial; or, in data-parallel mode, trains each trial's epochs across every executor slot with dl4j-spark;
 * binds a trial to the GPU Spark assigned its task; and keeps segmented trials' checkpoints on any Hadoop
 * FileSystem.
 */
package io.rnnsweep.spark;
