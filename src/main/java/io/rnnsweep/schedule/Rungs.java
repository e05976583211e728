package io.rnnsweep.schedule;

import io.rnnsweep.trial.ObjectiveMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The epochs at which rung-based schedulers compare trials: {@code min}, {@code min·η}, {@code min·η²}, … below
 * {@code max}; a trial that passes the last rung trains to {@code max}.
 *
 * @param minEpochs the first rung (the grace period)
 * @param maxEpochs the epochs of a trial that is never stopped
 * @param eta the reduction factor: the top 1/η of a rung go on
 */
public record Rungs(int minEpochs, int maxEpochs, int eta) {
    /** Checks the values. */
    public Rungs {
        if (minEpochs < 1 || maxEpochs < minEpochs || eta < 2) {
            throw new IllegalArgumentException("need 1 <= min epochs <= max epochs and a reduction factor >= 2, got "
                    + minEpochs + ", " + maxEpochs + ", " + eta);
        }
    }

    /** Returns the rung epochs, ascending. */
    public List<Integer> milestones() {
        List<Integer> out = new ArrayList<>();
        for (long e = minEpochs; e < maxEpochs; e *= eta) {
            out.add((int) e);
        }
        return out;
    }

    /** Returns the first rung after {@code epochsDone}, or the maximum when no rung is left. */
    public int next(int epochsDone) {
        for (int m : milestones()) {
            if (m > epochsDone) {
                return m;
            }
        }
        return maxEpochs;
    }

    /** Returns the trials of a rung ranked best first (NaN last, ties by arrival order). */
    static List<Integer> ranked(Map<Integer, Double> rung, ObjectiveMode mode) {
        List<Integer> order = new ArrayList<>(rung.keySet());
        Comparator<Integer> byValue = (a, b) -> {
            double x = rung.get(a);
            double y = rung.get(b);
            if (Double.isNaN(x) || Double.isNaN(y)) {
                return Boolean.compare(Double.isNaN(x), Double.isNaN(y));
            }
            return mode == ObjectiveMode.MIN ? Double.compare(x, y) : Double.compare(y, x);
        };
        order.sort(byValue); // stable: ties keep arrival order
        return order;
    }
}
