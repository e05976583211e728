package io.rnnsweep.schedule;

import io.rnnsweep.trial.ObjectiveMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The median stopping rule (Golovin et al., Google Vizier; Ray Tune's {@code MedianStoppingRule}): after its grace
 * period, a trial is stopped at epoch t when its best value so far is worse than the median, over the other
 * trials that reached epoch t, of their running means of the objective up to t — provided at least
 * {@code minSamples} such trials exist.
 */
public final class MedianStopping implements Scheduler {
    private final ObjectiveMode mode;
    private final int graceEpochs;
    private final int minSamples;
    private final Map<Integer, List<Double>> values = new HashMap<>();
    private final Map<Integer, StopReason> reasons = new HashMap<>();

    /**
     * Creates the rule.
     *
     * @param mode whether the objective is minimized or maximized
     * @param graceEpochs epochs every trial trains before it can be stopped (at least 1)
     * @param minSamples other trials that must have reached an epoch before it is compared (at least 1)
     */
    public MedianStopping(ObjectiveMode mode, int graceEpochs, int minSamples) {
        if (graceEpochs < 1 || minSamples < 1) {
            throw new IllegalArgumentException("grace epochs and min samples must be at least 1");
        }
        this.mode = mode;
        this.graceEpochs = graceEpochs;
        this.minSamples = minSamples;
    }

    @Override
    public Decision onResult(int trial, int epoch, double value) {
        List<Double> mine = values.computeIfAbsent(trial, k -> new ArrayList<>());
        if (mine.size() != epoch - 1) {
            throw new IllegalArgumentException("trial " + trial + " reported epoch " + epoch + " after "
                    + mine.size() + " epochs");
        }
        mine.add(value);
        if (epoch <= graceEpochs) {
            return Decision.CONTINUE;
        }
        List<Double> means = new ArrayList<>();
        for (Map.Entry<Integer, List<Double>> other : values.entrySet()) {
            if (other.getKey() != trial && other.getValue().size() >= epoch) {
                means.add(other.getValue().subList(0, epoch).stream().mapToDouble(Double::doubleValue).average()
                        .orElse(Double.NaN));
            }
        }
        if (means.size() < minSamples) {
            return Decision.CONTINUE;
        }
        double best = Double.NaN;
        for (double v : mine) {
            if (mode.better(v, best)) {
                best = v;
            }
        }
        double median = median(means);
        if (!Double.isNaN(median) && (Double.isNaN(best) || mode.better(median, best))) {
            reasons.put(trial, new StopReason("median", epoch, best, median, "its best value "
                    + StopReason.number(best) + " is worse than the median " + StopReason.number(median)
                    + " of the running means of the " + means.size() + " other trials at epoch " + epoch));
            return Decision.STOP;
        }
        return Decision.CONTINUE;
    }

    /** Decides after the grace period and then after every epoch. */
    @Override
    public int segmentEnd(int trial, int epochsDone, int maxEpochs) {
        return Math.min(maxEpochs, epochsDone < graceEpochs ? graceEpochs : epochsDone + 1);
    }

    @Override
    public Optional<StopReason> reason(int trial) {
        return Optional.ofNullable(reasons.get(trial));
    }

    static double median(List<Double> xs) {
        List<Double> s = xs.stream().filter(d -> !Double.isNaN(d)).sorted().toList();
        if (s.isEmpty()) {
            return Double.NaN;
        }
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
