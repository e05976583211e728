package io.rnnsweep.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which swept hyperparameters matter for the objective: a regression model's feature importances (a random
 * forest from spark-mllib, see {@link Model}) next to each parameter's rank correlation with the objective,
 * as W&B shows them.
 *
 * @param parameters the swept parameters, most important first
 * @param importance each parameter's importance (summing to 1)
 * @param correlation each parameter's Spearman rank correlation with the objective (NaN for a constant one)
 * @param trials the trials the ranking was fitted on
 */
public record Importance(List<String> parameters, Map<String, Double> importance, Map<String, Double> correlation,
                         int trials) {
    /** Fewest trials with an objective value for which a ranking is more than noise. */
    public static final int MIN_TRIALS = 8;

    /** Fits a regression of the objective on the parameters and returns each feature's importance. */
    @FunctionalInterface
    public interface Model {
        /**
         * Returns the importance of each column of {@code x} for predicting {@code y}.
         *
         * @param x one row per trial, one column per parameter (categorical values as codes)
         * @param y the trials' objective values
         * @param seed the model's random seed
         */
        double[] importances(double[][] x, double[] y, long seed);

        /** Returns one line naming the model, for the report. */
        default String description() {
            return "a regression model's feature importances";
        }
    }

    /**
     * Ranks a sweep's parameters, or explains why not.
     *
     * @return the ranking; empty with fewer than {@value #MIN_TRIALS} trials with an objective value or no
     *     parameter that varies among them
     */
    public static java.util.Optional<Importance> of(SweepData sweep, Model model) {
        List<SweepData.Trial> trials = sweep.ranked();
        List<String> varying = sweep.axes().stream()
                .filter(a -> trials.stream().map(t -> t.options().get(a)).distinct().count() > 1).toList();
        if (trials.size() < MIN_TRIALS || varying.isEmpty()) {
            return java.util.Optional.empty();
        }
        double[][] x = new double[trials.size()][varying.size()];
        double[] y = new double[trials.size()];
        for (int j = 0; j < varying.size(); j++) {
            String axis = varying.get(j);
            double[] column = encode(trials.stream().map(t -> t.options().get(axis)).toList());
            for (int i = 0; i < trials.size(); i++) {
                x[i][j] = column[i];
            }
        }
        for (int i = 0; i < trials.size(); i++) {
            y[i] = sweep.objective(trials.get(i));
        }
        double[] imp = model.importances(x, y, 0);
        double total = Arrays.stream(imp).sum();
        Map<String, Double> importance = new LinkedHashMap<>();
        Map<String, Double> correlation = new LinkedHashMap<>();
        for (int j = 0; j < varying.size(); j++) {
            importance.put(varying.get(j), total > 0 ? imp[j] / total : 0);
            final int col = j;
            correlation.put(varying.get(j), spearman(Arrays.stream(x).mapToDouble(r -> r[col]).toArray(), y));
        }
        List<String> order = new ArrayList<>(varying);
        order.sort((a, b) -> Double.compare(importance.get(b), importance.get(a)));
        return java.util.Optional.of(new Importance(order, importance, correlation, trials.size()));
    }

    /**
     * Codes a parameter's values as numbers: numbers as themselves ({@code none}, as in {@code clip: none}, above
     * every number), anything else by its order of first appearance.
     */
    static double[] encode(List<String> values) {
        boolean numeric = values.stream().allMatch(v -> v.equals("none") || isNumber(v));
        double max = values.stream().filter(Importance::isNumber).mapToDouble(Double::parseDouble).max().orElse(0);
        List<String> seen = new ArrayList<>();
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            String v = values.get(i);
            if (numeric) {
                out[i] = v.equals("none") ? Math.abs(max) * 10 + 1 : Double.parseDouble(v);
            } else {
                if (!seen.contains(v)) {
                    seen.add(v);
                }
                out[i] = seen.indexOf(v);
            }
        }
        return out;
    }

    static boolean isNumber(String s) {
        try {
            return Double.isFinite(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Spearman's rank correlation (average ranks for ties); NaN when either side is constant. */
    static double spearman(double[] a, double[] b) {
        double[] ra = ranks(a);
        double[] rb = ranks(b);
        double ma = Arrays.stream(ra).average().orElse(0);
        double mb = Arrays.stream(rb).average().orElse(0);
        double cov = 0;
        double va = 0;
        double vb = 0;
        for (int i = 0; i < ra.length; i++) {
            cov += (ra[i] - ma) * (rb[i] - mb);
            va += (ra[i] - ma) * (ra[i] - ma);
            vb += (rb[i] - mb) * (rb[i] - mb);
        }
        return va == 0 || vb == 0 ? Double.NaN : cov / Math.sqrt(va * vb);
    }

    private static double[] ranks(double[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Double.compare(v[p], v[q]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; ) {
            int j = i;
            while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            for (int k = i; k <= j; k++) {
                r[order[k]] = (i + j) / 2.0;
            }
            i = j + 1;
        }
        return r;
    }
}
