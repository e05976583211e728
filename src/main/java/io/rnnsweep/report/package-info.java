/**
 * The review of a sweep: its data read back from the output folder, PNG plots drawn with XChart, parameter
 * importance and correlations, and whether its early stopping could be trusted (per-rung rank correlations).
 */
package io.rnnsweep.report;
