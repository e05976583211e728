/**
 * The training loop of one trial: the seeds' loss and learning-rate semantics on DL4J, global-norm clipping,
 * gradient health, divergence detection, per-epoch results to listeners, checkpoints and exact resume.
 */
package io.rnnsweep.train;
