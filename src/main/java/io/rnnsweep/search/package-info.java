/**
 * Searchers decide what each of the sweep's trials tries, ask/tell style: asked for trial after trial
 * ({@code suggest}: a configuration, wait, or finished) and told every result and ending, so a searcher can
 * learn from them. Grid and random search propose a fixed list; TPE proposes from the results (and from earlier
 * sweeps' trials), steering away from diverged ones. Pure: no Spark, no MLflow, no clock.
 */
package io.rnnsweep.search;
