package io.rnnsweep.search;

import java.util.Locale;

/** The search algorithms a spec can name. */
public enum SearchAlgorithm {
    /** Every combination of the listed values. */
    GRID,
    /** A fixed number of independent draws from the domains, seeded. */
    RANDOM,
    /** Tree-structured Parzen Estimator: random draws first, then where the results say good trials lie. */
    TPE;

    /**
     * Returns whether the search proposes its trials from results: a resumed sweep then adopts the trials its
     * earlier run tried, and {@code --dry-run} lists only those proposed before any result.
     */
    public boolean learns() {
        return this == TPE;
    }

    /** Returns the name users write. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
