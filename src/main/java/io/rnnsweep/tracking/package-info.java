/**
 * The only package that imports MLflow: where runs go (a tracking server, or the embedded file store the
 * driver serves over MLflow's REST API), the sweep's parent run and the trials' child runs through
 * mlflow-client, retries, spooling and replay so that no record is lost or doubled, and the gradient-health
 * verdict.
 */
package io.rnnsweep.tracking;
