package io.rnnsweep.task;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A task's evaluation of the network after an epoch.
 *
 * @param loss the task's loss per token on held-out data (NaN when the task has none)
 * @param metrics the task's own metrics by name
 */
public record Evaluation(double loss, Map<String, Double> metrics) {
    /** Copies the metrics, keeping their order. */
    public Evaluation {
        metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }
}
