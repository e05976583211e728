/**
 * Search-space domains of a sweep: an explicit list of values (what a grid expands), and the distributions a
 * random search draws from (uniform, log-uniform, integer range); pure values, no Spark, no MLflow.
 */
package io.rnnsweep.space;
