package io.rnnsweep.search;

import io.rnnsweep.space.Domain;
import io.rnnsweep.trial.TrialOption;
import io.rnnsweep.trial.TrialStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The Tree-structured Parzen Estimator (Bergstra et al. 2011; the components as Watanabe 2023 analyses them):
 * after {@code startup} random trials, each trial tries the candidate, among {@link #CANDIDATES} drawn from the
 * density of the good observations l(x), that maximizes l(x) / g(x), g being the density of the rest.
 *
 * <ul>
 *   <li>Multivariate: each observation is one kernel over every dimension (a product of a Gaussian, truncated to
 *       the domain, per numeric dimension, in log space for log-uniform ones, and an Aitchison–Aitken kernel per
 *       choice), plus a wide prior kernel; bandwidths at a share ({@link Tuning}) of Scott's rule for the dimension
 *       count, with a floor.</li>
 *   <li>Observations at budgets (BOHB, Falkner et al. 2018): a trial's value at epoch b counts at budget b; the
 *       model uses the highest budget that at least {@code dims + 2} trials reached (so under ASHA it learns from
 *       every rung as soon as it has enough, higher rungs first); trials stopped by a scheduler below it are
 *       worse than any that reached it.</li>
 *   <li>Diverged trials are infeasible: always in g, so the model steers away from their region. Trials that
 *       failed or were killed without a value (a lost executor) teach it nothing.</li>
 *   <li>Constant liar: trials still running without a value at the budget count in g, so concurrent slots do not
 *       crowd the same point.</li>
 *   <li>Warm start: observations of earlier sweeps (same task and objective) join every model as finished
 *       trials.</li>
 * </ul>
 *
 * <p>Pure and seeded: the same seed and the same calls give the same suggestions. Never the same configuration
 * twice.
 */
public final class TpeSearch implements Searcher {
    /** Candidates drawn from l(x) per suggestion. */
    static final int CANDIDATES = 24;
    /** The most observations taken as good. */
    static final int MAX_GOOD = 25;

    /**
     * How greedy the model is.
     *
     * @param gamma the share of observations taken as good (at least one, at most {@link #MAX_GOOD})
     * @param bandwidth the kernels' width as a share of Scott's rule
     * @param floor the kernels' least width as a share of the "magic clip" (range / (1 + observations))
     */
    record Tuning(double gamma, double bandwidth, double floor) {
        /**
         * Optuna's good share with kernels at 0.2 of Scott's width and 0.1 of the magic clip: on the recorded
         * landscape of the search benchmark's character LM they reach within 2% of the best in about two thirds
         * of the trials {@link #BERGSTRA}'s need (jobs/bench-tpe-landscape.sh), exploiting the best region sooner,
         * as a sweep of a few dozen trials must.
         */
        static final Tuning DEFAULT = new Tuning(0.10, 0.2, 0.1);
        /** Bergstra et al.'s good share (0.25) with full Scott widths and magic clip: the components as published. */
        static final Tuning BERGSTRA = new Tuning(0.25, 1, 1);
    }

    private static final int MAX_REDRAWS = 10_000;

    /** One observation of an earlier sweep: its values and its final objective (NaN for a diverged trial). */
    public record Observation(Map<TrialOption, String> chosen, double value) {
        /** Copies the values. */
        public Observation {
            chosen = Map.copyOf(chosen);
        }
    }

    private final Tuning tuning;
    private final List<TrialOption> options;
    private final List<Domain> domains;
    /**
     * The model's coordinates: one per option, two for a distribution-or-values option (which of them, then the
     * distribution's value, NaN when a listed value was taken). Per coordinate: its number of categories (0 for a
     * numeric one), its bounds, and whether it is on a log scale or integer.
     */
    private final int[] categories;
    private final double[] low;
    private final double[] high;
    private final boolean[] integer;
    private final int trials;
    private final int startup;
    private final long seed;
    private final boolean maximize;
    private final RandomSearch startupDraws;
    private final Map<Integer, Map<TrialOption, String>> suggested = new HashMap<>();
    private final Set<Map<TrialOption, String>> tried = new HashSet<>();
    private final Map<Integer, TreeMap<Integer, Double>> results = new HashMap<>();
    private final Set<Integer> diverged = new HashSet<>();
    private final Set<Integer> ignored = new HashSet<>();
    private final Set<Integer> complete = new HashSet<>();
    private final List<double[]> warmPoints = new ArrayList<>();
    private final List<Double> warmValues = new ArrayList<>();

    /**
     * Creates the search.
     *
     * @param space the swept options and their domains
     * @param trials how many trials the search makes
     * @param startup how many of them are random draws before the model takes over (1 to {@code trials})
     * @param seed the seed of every random draw
     * @param maximize whether a larger objective is better
     * @param warm observations of earlier sweeps that seed the model
     * @throws IllegalArgumentException when the counts are out of range or the space holds fewer configurations
     */
    public TpeSearch(Map<TrialOption, Domain> space, int trials, int startup, long seed, boolean maximize,
                     List<Observation> warm) {
        this(space, trials, startup, seed, maximize, warm, Tuning.DEFAULT);
    }

    /** Creates the search with the model's greediness given (benchmarks compare them). */
    TpeSearch(Map<TrialOption, Domain> space, int trials, int startup, long seed, boolean maximize,
              List<Observation> warm, Tuning tuning) {
        this.tuning = tuning;
        if (trials < 1 || startup < 1 || startup > trials) {
            throw new IllegalArgumentException("tpe needs 1 <= startup_trials <= trials, got " + startup + " of "
                    + trials);
        }
        this.options = List.copyOf(space.keySet());
        this.domains = List.copyOf(space.values());
        List<double[]> dims = new ArrayList<>();
        for (Domain d : domains) {
            if (d instanceof Domain.Or or) {
                dims.add(new double[] {or.values().size() + 1, 0, or.values().size(), 0});
                dims.add(numeric(or.distribution()));
            } else if (d instanceof Domain.Choice c) {
                dims.add(new double[] {c.values().size(), 0, c.values().size() - 1, 0});
            } else {
                dims.add(numeric(d));
            }
        }
        this.categories = new int[dims.size()];
        this.low = new double[dims.size()];
        this.high = new double[dims.size()];
        this.integer = new boolean[dims.size()];
        for (int i = 0; i < dims.size(); i++) {
            categories[i] = (int) dims.get(i)[0];
            low[i] = dims.get(i)[1];
            high[i] = dims.get(i)[2];
            integer[i] = dims.get(i)[3] == 1;
        }
        this.trials = trials;
        this.startup = startup;
        this.seed = seed;
        this.maximize = maximize;
        this.startupDraws = new RandomSearch(space, startup, seed);
        for (Observation o : warm) {
            warmPoints.add(encode(o.chosen()));
            warmValues.add(o.value());
        }
    }

    @Override
    public Suggestion suggest(int index) {
        if (index >= trials) {
            return Suggestion.FINISHED;
        }
        Map<TrialOption, String> chosen = suggested.get(index);
        if (chosen != null) {
            return Suggestion.trial(chosen);
        }
        if (index < startup) {
            chosen = startupDraws.trial(index);
        } else {
            Model model = model();
            boolean nothingYet = model == null && results.isEmpty() && complete.isEmpty() && warmPoints.isEmpty();
            if (nothingYet && pending() > 0) {
                return Suggestion.WAIT; // the first result decides more than a random draw would
            }
            SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (index + 1)));
            chosen = model == null ? randomDistinct(random) : model.best(random);
        }
        record(index, chosen);
        return Suggestion.trial(chosen);
    }

    /** Takes up a trial an earlier run of the sweep already ran with these values, as if it had suggested them. */
    @Override
    public Suggestion resume(int index, Map<TrialOption, String> chosen) {
        if (index >= trials) {
            return Suggestion.FINISHED;
        }
        record(index, chosen);
        return Suggestion.trial(chosen);
    }

    private void record(int index, Map<TrialOption, String> chosen) {
        Map<TrialOption, String> copy = Collections.unmodifiableMap(new LinkedHashMap<>(chosen));
        suggested.put(index, copy);
        tried.add(copy);
    }

    @Override
    public void onTrialResult(int index, int epoch, double value) {
        if (!Double.isNaN(value)) {
            results.computeIfAbsent(index, i -> new TreeMap<>()).put(epoch, maximize ? -value : value);
        }
    }

    @Override
    public void onTrialComplete(int index, TrialStatus status, double best) {
        complete.add(index);
        if (status == TrialStatus.DIVERGED) {
            diverged.add(index);
        } else if (status == TrialStatus.FAILED || (status == TrialStatus.KILLED && !results.containsKey(index))) {
            ignored.add(index); // infrastructure (or never trained): says nothing about the configuration
        }
    }

    /** Returns how many suggested trials have not ended. */
    private int pending() {
        int n = 0;
        for (int i : suggested.keySet()) {
            if (!complete.contains(i)) {
                n++;
            }
        }
        return n;
    }

    /** Returns the model at the highest budget enough trials reached, or null when none has enough yet. */
    private Model model() {
        int needed = options.size() + 2;
        TreeMap<Integer, Integer> reached = new TreeMap<>();
        for (Map.Entry<Integer, TreeMap<Integer, Double>> e : results.entrySet()) {
            if (!diverged.contains(e.getKey()) && !ignored.contains(e.getKey())) {
                for (int epoch : e.getValue().keySet()) {
                    reached.merge(epoch, 1, Integer::sum);
                }
            }
        }
        Integer budget = null;
        for (Map.Entry<Integer, Integer> e : reached.descendingMap().entrySet()) {
            if (e.getValue() + warmPoints.size() >= needed) {
                budget = e.getKey();
                break;
            }
        }
        if (budget == null && warmPoints.size() < needed) {
            return null;
        }
        List<double[]> points = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        List<double[]> worse = new ArrayList<>();
        for (int i = 0; i < warmPoints.size(); i++) {
            if (Double.isNaN(warmValues.get(i))) {
                worse.add(warmPoints.get(i));
            } else {
                points.add(warmPoints.get(i));
                values.add(maximize ? -warmValues.get(i) : warmValues.get(i));
            }
        }
        List<Integer> indices = new ArrayList<>(suggested.keySet());
        Collections.sort(indices);
        for (int i : indices) {
            if (ignored.contains(i)) {
                continue;
            }
            double[] x = encode(suggested.get(i));
            Double v = budget == null || diverged.contains(i) ? null : results.getOrDefault(i, new TreeMap<>())
                    .get(budget);
            if (v != null) {
                points.add(x);
                values.add(v);
            } else {
                // Diverged, stopped below the budget, or still running without a value there (the liar).
                worse.add(x);
            }
        }
        if (points.isEmpty()) {
            return null;
        }
        Integer[] order = new Integer[points.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(values.get(a), values.get(b)));
        int good = Math.max(1, Math.min(MAX_GOOD, (int) Math.ceil(tuning.gamma() * points.size())));
        List<double[]> l = new ArrayList<>();
        List<double[]> g = new ArrayList<>(worse);
        for (int k = 0; k < order.length; k++) {
            (k < good ? l : g).add(points.get(order[k]));
        }
        return new Model(new Parzen(l), new Parzen(g));
    }

    private Map<TrialOption, String> randomDistinct(SplittableRandom random) {
        for (int again = 0; again < MAX_REDRAWS; again++) {
            Map<TrialOption, String> t = new LinkedHashMap<>();
            for (int d = 0; d < options.size(); d++) {
                t.put(options.get(d), domains.get(d).sample(random));
            }
            if (!tried.contains(t)) {
                return t;
            }
        }
        throw new IllegalStateException("the space holds no configuration not tried yet");
    }

    /** Returns a numeric domain's coordinate: {0 categories, low, high, integer?}, in log space for log-uniform. */
    private static double[] numeric(Domain d) {
        if (d instanceof Domain.LogUniform u) {
            return new double[] {0, Math.log(u.low()), Math.log(u.high()), 0};
        } else if (d instanceof Domain.Uniform u) {
            return new double[] {0, u.low(), u.high(), 0};
        }
        Domain.IntRange r = (Domain.IntRange) d;
        return new double[] {0, r.low() - 0.5, r.high() + 0.5, 1};
    }

    private static double toCoordinate(Domain d, String text) {
        double v = Double.parseDouble(text);
        return d instanceof Domain.LogUniform ? Math.log(v) : v;
    }

    private static String fromCoordinate(Domain d, double x) {
        if (d instanceof Domain.LogUniform) {
            return Domain.LogUniform.text(Math.exp(x));
        } else if (d instanceof Domain.IntRange) {
            return Long.toString(Math.round(x));
        }
        return io.rnnsweep.trial.TrialConfig.format(x);
    }

    /** Encodes values as model coordinates: log for log-uniform, the index for a listed value. */
    private double[] encode(Map<TrialOption, String> chosen) {
        double[] x = new double[categories.length];
        int i = 0;
        for (int d = 0; d < options.size(); d++) {
            String text = chosen.get(options.get(d));
            Domain domain = domains.get(d);
            if (domain instanceof Domain.Or or) {
                int listed = or.values().indexOf(text);
                x[i++] = listed + 1; // 0: the distribution
                x[i++] = listed >= 0 ? Double.NaN : toCoordinate(or.distribution(), text);
            } else if (domain instanceof Domain.Choice c) {
                x[i++] = Math.max(0, c.values().indexOf(text));
            } else {
                x[i++] = toCoordinate(domain, text);
            }
        }
        return x;
    }

    /** Decodes model coordinates into the options' user text, as the domains would have drawn them. */
    private Map<TrialOption, String> decode(double[] x) {
        Map<TrialOption, String> out = new LinkedHashMap<>();
        int i = 0;
        for (int d = 0; d < options.size(); d++) {
            Domain domain = domains.get(d);
            String text;
            if (domain instanceof Domain.Or or) {
                int which = (int) x[i++];
                double v = x[i++];
                text = which > 0 ? or.values().get(which - 1) : fromCoordinate(or.distribution(), v);
            } else if (domain instanceof Domain.Choice c) {
                text = c.values().get((int) x[i++]);
            } else {
                text = fromCoordinate(domain, x[i++]);
            }
            out.put(options.get(d), text);
        }
        return out;
    }

    /** The two densities and the choice between candidates. */
    private final class Model {
        private final Parzen l;
        private final Parzen g;

        Model(Parzen l, Parzen g) {
            this.l = l;
            this.g = g;
        }

        /** Draws candidates from l and returns the untried one with the largest log l - log g. */
        Map<TrialOption, String> best(SplittableRandom random) {
            Map<TrialOption, String> best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < CANDIDATES; c++) {
                Map<TrialOption, String> candidate = decode(l.sample(random));
                if (tried.contains(candidate)) {
                    continue;
                }
                double[] x = encode(candidate);
                double score = l.logDensity(x) - g.logDensity(x);
                if (score > bestScore) {
                    bestScore = score;
                    best = candidate;
                }
            }
            return best != null ? best : randomDistinct(random);
        }
    }

    /**
     * A Parzen estimator over the space: one product kernel per observation and a wide prior kernel, equally
     * weighted.
     */
    private final class Parzen {
        private final List<double[]> centers;
        /** Per numeric dimension: the kernels' bandwidth; per choice: the mass a kernel leaves to other values. */
        private final double[] width;

        Parzen(List<double[]> points) {
            this.centers = List.copyOf(points);
            int n = points.size();
            int dims = categories.length;
            this.width = new double[dims];
            double scott = Math.pow(4.0 / (dims + 2), 1.0 / (dims + 4)) * Math.pow(Math.max(n, 1), -1.0 / (dims + 4));
            for (int d = 0; d < dims; d++) {
                if (categories[d] > 0) {
                    int k = categories[d];
                    // Aitchison-Aitken: the more observations, the more a kernel keeps to its own value.
                    width[d] = k < 2 ? 0 : (k - 1.0) / k / (1.0 + n);
                    continue;
                }
                double range = high[d] - low[d];
                List<Double> seen = new ArrayList<>();
                for (double[] p : points) {
                    if (!Double.isNaN(p[d])) {
                        seen.add(p[d]);
                    }
                }
                double spread = range / Math.sqrt(12);
                if (seen.size() >= 2) {
                    double mean = seen.stream().mapToDouble(Double::doubleValue).average().orElse(0);
                    double var = seen.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / (seen.size() - 1);
                    spread = Math.sqrt(var);
                }
                // The floor keeps a kernel from collapsing on repeated values ("magic clip").
                width[d] = Math.min(range, Math.max(tuning.bandwidth() * scott * spread,
                        tuning.floor() * range / Math.min(100.0, 1.0 + seen.size())));
            }
        }

        /** Draws a point: a kernel (the prior included) by weight, then each coordinate from it. */
        double[] sample(SplittableRandom random) {
            int k = random.nextInt(centers.size() + 1);
            boolean prior = k == centers.size();
            double[] x = new double[categories.length];
            for (int d = 0; d < x.length; d++) {
                if (categories[d] > 0) {
                    x[d] = prior || random.nextDouble() < width[d] ? random.nextInt(categories[d]) : centers.get(k)[d];
                    continue;
                }
                if (d > 0 && categories[d - 1] > 0 && isOr(d - 1) && x[d - 1] > 0) {
                    x[d] = Double.NaN; // a listed value was taken: the distribution has none
                    continue;
                }
                boolean wide = prior || Double.isNaN(centers.get(k)[d]);
                double mu = wide ? (low[d] + high[d]) / 2 : centers.get(k)[d];
                double sigma = wide ? high[d] - low[d] : width[d];
                double v = Double.NaN;
                for (int tries = 0; tries < 100 && !(v >= low[d] && v <= high[d]); tries++) {
                    v = mu + sigma * random.nextGaussian();
                }
                x[d] = Math.max(low[d], Math.min(high[d], v));
                if (integer[d]) {
                    x[d] = Math.round(x[d]);
                }
            }
            return x;
        }

        /** Returns the log density at {@code x} (categories as probabilities, numbers as densities). */
        double logDensity(double[] x) {
            int kernels = centers.size() + 1;
            double[] logs = new double[kernels];
            for (int k = 0; k < kernels; k++) {
                boolean prior = k == centers.size();
                double log = 0;
                for (int d = 0; d < x.length; d++) {
                    if (categories[d] > 0) {
                        double p = prior ? 1.0 / categories[d]
                                : (x[d] == centers.get(k)[d] ? 1 - width[d] : 0) + width[d] / categories[d];
                        log += Math.log(p);
                        continue;
                    }
                    if (Double.isNaN(x[d])) {
                        continue; // no value: the category said so already
                    }
                    boolean wide = prior || Double.isNaN(centers.get(k)[d]);
                    double mu = wide ? (low[d] + high[d]) / 2 : centers.get(k)[d];
                    double sigma = wide ? high[d] - low[d] : width[d];
                    log += logTruncatedNormal(x[d], mu, sigma, low[d], high[d]);
                }
                logs[k] = log;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double v : logs) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : logs) {
                sum += Math.exp(v - max);
            }
            return max + Math.log(sum / kernels);
        }
    }

    /** Returns whether coordinate {@code d} is the "which of them" coordinate of a distribution-or-values option. */
    private boolean isOr(int d) {
        int i = 0;
        for (Domain domain : domains) {
            if (i == d) {
                return domain instanceof Domain.Or;
            }
            i += domain instanceof Domain.Or ? 2 : 1;
        }
        return false;
    }

    /** Returns the log density of a normal truncated to {@code [low, high]}. */
    static double logTruncatedNormal(double x, double mu, double sigma, double low, double high) {
        double z = (x - mu) / sigma;
        double mass = phi((high - mu) / sigma) - phi((low - mu) / sigma);
        return -0.5 * z * z - Math.log(sigma * Math.sqrt(2 * Math.PI)) - Math.log(Math.max(mass, 1e-300));
    }

    /** The standard normal distribution function (Abramowitz and Stegun 7.1.26 for erf; error below 1.5e-7). */
    static double phi(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
                + 0.254829592) * t * Math.exp(-x * x);
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}
