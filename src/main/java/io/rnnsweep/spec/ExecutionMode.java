package io.rnnsweep.spec;

import java.util.Locale;

/** How a sweep's trials use the cluster. */
public enum ExecutionMode {
    /** Each trial is one Spark task on one executor; trials run side by side. */
    TRIAL_PARALLEL,
    /** Each trial trains across all executors with dl4j-spark; trials run one after another. */
    DATA_PARALLEL;

    /** Returns the name users write ({@code trial-parallel}, {@code data-parallel}). */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
