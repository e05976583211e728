/**
 * The training loop of one trial: the seeds' loss and learning-rate semantics on DL4J, global-norm clipping,
 * gradient health, divergence detection, per-epoch results to listeners, checkpoints and exact resume; the
 * native side it runs on (thread binding, the BLAS library loaded, its SGEMM rate).
 */
package io.rnnsweep.train;
