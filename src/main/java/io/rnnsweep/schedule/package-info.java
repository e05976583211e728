/**
 * Early-stopping schedulers, pure: told each trial's per-epoch objective value, they answer a
 * {@link io.rnnsweep.schedule.Decision} — FIFO, the median stopping rule, synchronous successive halving,
 * Hyperband's brackets and ASHA. They know nothing of Spark, training or tracking.
 */
package io.rnnsweep.schedule;
