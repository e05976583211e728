/**
 * The only package that imports MLflow: where runs go (a tracking server, or the embedded file store the
 * driver serves over MLflow's REST API), the sweep's parent run and the trials' child runs through
 * mlflow-client (as a callback of the sweep's loop; each trial's recorder travels to its executor), artifacts
 * where each run's artifact URI points, retries, spooling and replay so that no record is lost or doubled (and
 * what a store never took sent to it later, {@code sync}), the
 * gradient-health verdict, and the store as the sweep's journal: a sweep read back to be resumed, earlier sweeps
 * read back to warm-start a search.
 */
package io.rnnsweep.tracking;
