package io.rnnsweep.search;

import java.util.Locale;

/** The search algorithms a spec can name. */
public enum SearchAlgorithm {
    /** Every combination of the listed values. */
    GRID,
    /** A fixed number of independent draws from the domains, seeded. */
    RANDOM;

    /** Returns the name users write. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
