package io.rnnsweep.search;

import io.rnnsweep.trial.TrialOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A searcher's answer to "what should the next trial try?": a configuration, nothing for now (wait for
 * results), or nothing ever again.
 *
 * @param kind which of the three answers this is
 * @param chosen the chosen option values, in the space's order; empty unless {@code kind} is {@link Kind#TRIAL}
 */
public record Suggestion(Kind kind, Map<TrialOption, String> chosen) {
    /** The three answers a searcher gives. */
    public enum Kind {
        /** Try the chosen values. */
        TRIAL,
        /** Nothing now: ask again once a running trial has reported. */
        WAIT,
        /** The search is done: no more trials. */
        FINISHED
    }

    /** Nothing now: ask again after the next result. */
    public static final Suggestion WAIT = new Suggestion(Kind.WAIT, Map.of());
    /** No more trials. */
    public static final Suggestion FINISHED = new Suggestion(Kind.FINISHED, Map.of());

    /** Copies the chosen values, keeping their order; only a trial has any. */
    public Suggestion {
        Objects.requireNonNull(kind, "kind");
        if (kind != Kind.TRIAL && !chosen.isEmpty()) {
            throw new IllegalArgumentException(kind + " carries no values, got " + chosen);
        }
        chosen = Collections.unmodifiableMap(new LinkedHashMap<>(chosen));
    }

    /** Returns the suggestion to try the given values. */
    public static Suggestion trial(Map<TrialOption, String> chosen) {
        return new Suggestion(Kind.TRIAL, chosen);
    }
}
