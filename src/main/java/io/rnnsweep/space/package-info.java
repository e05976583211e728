/**
 * Search-space domains of a sweep: an explicit list of values (what a grid expands), the distributions a random
 * or TPE search draws from (uniform, log-uniform, integer range), and a distribution or listed values (a
 * clipping threshold or none); pure values, no Spark, no MLflow.
 */
package io.rnnsweep.space;
