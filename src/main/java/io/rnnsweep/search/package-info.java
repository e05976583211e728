/**
 * Searchers decide which option values the sweep's trials try (grid, random); pure functions of the space,
 * the trial count and the seed: no Spark, no MLflow, no clock.
 */
package io.rnnsweep.search;
