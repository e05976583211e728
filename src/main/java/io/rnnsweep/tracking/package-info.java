/**
 * The only package that imports MLflow: where runs go (a tracking server, or the embedded file store the
 * driver serves over MLflow's REST API), the sweep's parent run and the trials' child runs through
 * mlflow-client (as a callback of the sweep's loop), retries, spooling and replay so that no record is lost or
 * doubled, the gradient-health verdict, and the store as the sweep's journal: a sweep read back to be resumed.
 */
package io.rnnsweep.tracking;
