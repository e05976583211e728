package io.rnnsweep.trial;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one epoch of one trial produced; immutable.
 *
 * <p>Losses are the seeds' losses: mean cross-entropy per token for the classification tasks (perplexity is
 * its {@code exp}), mean squared error per step for {@code sine} and {@code binary-addition} (no perplexity,
 * reported as NaN). A value that does not apply is NaN.
 *
 * @param epoch the epoch number, counted from 1
 * @param trainLoss mean training loss per token over the epoch, as measured while training
 * @param trainPerplexity {@code exp(trainLoss)} for cross-entropy tasks, else NaN
 * @param validationLoss mean loss per token on held-out data after the epoch
 * @param validationPerplexity {@code exp(validationLoss)} for cross-entropy tasks, else NaN
 * @param taskMetrics the task's own metrics (accuracy, exact-sum accuracy, test MSE, ...), by name
 * @param gradNormMean mean over the epoch's updates of the global gradient L2 norm before clipping
 * @param gradNormMax largest global gradient L2 norm before clipping
 * @param clipFraction fraction of updates whose gradient was clipped
 * @param tokens predicted tokens (time steps times sequences) trained on in the epoch
 * @param tokensPerSecond training throughput: tokens over training seconds (evaluation excluded)
 * @param seconds wall seconds of the epoch, evaluation included
 */
public record EpochResult(
        int epoch,
        double trainLoss,
        double trainPerplexity,
        double validationLoss,
        double validationPerplexity,
        Map<String, Double> taskMetrics,
        double gradNormMean,
        double gradNormMax,
        double clipFraction,
        long tokens,
        double tokensPerSecond,
        double seconds) implements java.io.Serializable {

    /** Copies the task metrics so the record stays immutable. */
    public EpochResult {
        Objects.requireNonNull(taskMetrics, "taskMetrics");
        taskMetrics = Map.copyOf(new LinkedHashMap<>(taskMetrics));
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch counts from 1, got " + epoch);
        }
    }

    /**
     * Returns every metric of the epoch by its tracking name, in a stable order: losses and perplexities,
     * then the task's metrics (sorted by name), then gradient health and speed.
     */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_loss", trainLoss);
        m.put("train_perplexity", trainPerplexity);
        m.put("val_loss", validationLoss);
        m.put("val_perplexity", validationPerplexity);
        taskMetrics.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> m.put(e.getKey(), e.getValue()));
        m.put("grad_norm_mean", gradNormMean);
        m.put("grad_norm_max", gradNormMax);
        m.put("clip_rate", clipFraction);
        m.put("tokens_per_sec", tokensPerSecond);
        m.put("epoch_seconds", seconds);
        return m;
    }

    /** The metrics every epoch has, by tracking name; any other name is a task metric. */
    private static final java.util.Set<String> COMMON = java.util.Set.of("train_loss", "train_perplexity", "val_loss",
            "val_perplexity", "grad_norm_mean", "grad_norm_max", "clip_rate", "tokens_per_sec", "epoch_seconds");

    /**
     * Returns the epoch that {@link #metrics()} gave these metrics (as a tracking store holds them); a metric that
     * is missing is NaN, the token count (not tracked) 0.
     */
    public static EpochResult of(int epoch, Map<String, Double> metrics) {
        Map<String, Double> task = new LinkedHashMap<>();
        metrics.forEach((k, v) -> {
            if (!COMMON.contains(k)) {
                task.put(k, v);
            }
        });
        java.util.function.ToDoubleFunction<String> m = k -> metrics.getOrDefault(k, Double.NaN);
        return new EpochResult(epoch, m.applyAsDouble("train_loss"), m.applyAsDouble("train_perplexity"),
                m.applyAsDouble("val_loss"), m.applyAsDouble("val_perplexity"), task, m.applyAsDouble("grad_norm_mean"),
                m.applyAsDouble("grad_norm_max"), m.applyAsDouble("clip_rate"), 0, m.applyAsDouble("tokens_per_sec"),
                m.applyAsDouble("epoch_seconds"));
    }

    /**
     * Returns the names of the metrics a task's epochs carry, in {@link #metrics()} order, leaving out the
     * perplexities when the task's loss is not a cross-entropy.
     */
    public static List<String> metricNames(List<String> taskMetrics, boolean perplexity) {
        List<String> out = new ArrayList<>(perplexity
                ? List.of("train_loss", "train_perplexity", "val_loss", "val_perplexity")
                : List.of("train_loss", "val_loss"));
        taskMetrics.stream().sorted().forEach(out::add);
        out.addAll(List.of("grad_norm_mean", "grad_norm_max", "clip_rate", "tokens_per_sec", "epoch_seconds"));
        return out;
    }

    /** Returns the named metric, or NaN when this epoch has no such metric. */
    public double metric(String name) {
        Double v = switch (name) {
            case "train_loss" -> trainLoss;
            case "train_perplexity" -> trainPerplexity;
            case "val_loss" -> validationLoss;
            case "val_perplexity" -> validationPerplexity;
            default -> taskMetrics.containsKey(name) ? taskMetrics.get(name) : metrics().get(name);
        };
        return v == null ? Double.NaN : v;
    }
}
