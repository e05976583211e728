/**
 * What a trial is: its immutable configuration, the options that make it up, its per-epoch results and
 * its status; no training code and no Spark or MLflow here.
 */
package io.rnnsweep.trial;
