package io.rnnsweep.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rnnsweep.report.SweepData;
import io.rnnsweep.space.Domain;
import io.rnnsweep.spec.SpecLoader;
import io.rnnsweep.trial.TrialOption;
import io.rnnsweep.trial.TrialStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Searchers on a recorded landscape: the search benchmark's space (hidden {64, 128, 256} × lr log-uniform
 * [0.05, 20] × clip log-uniform [0.05, 10] or none) mapped by a random sweep, each proposal answered by the
 * mapped trials nearest to it (same hidden size and clip kind; inverse-distance over the three nearest in log lr
 * and log clip; diverged when the nearest diverged). Many searcher seeds in seconds, where the real benchmark
 * affords five in minutes: it compares random search with TPE as published ({@link TpeSearch.Tuning#BERGSTRA})
 * and as rnnsweep tunes it ({@link TpeSearch.Tuning#DEFAULT}), two trials at a time as on {@code local[2]}.
 * Writes JSON: per method the median trials to within 2% of the landscape's best, how many runs got there, the
 * median best, and the diverged trials per run.
 */
public final class TpeLandscapeBench {
    private record Point(String hidden, double lr, double clip, double value, boolean diverged) {
    }

    private final List<Point> points = new ArrayList<>();

    private TpeLandscapeBench(SweepData map) {
        for (SweepData.Trial t : map.trials()) {
            String clip = t.options().get("clip");
            boolean diverged = !t.status().equals("FINISHED");
            double value = map.objective(t);
            if (!diverged && !Double.isFinite(value)) {
                continue;
            }
            points.add(new Point(t.options().get("hidden"), Double.parseDouble(t.options().get("lr")),
                    clip.equals("none") ? Double.NaN : Double.parseDouble(clip), value, diverged));
        }
    }

    /** Returns the landscape's value at a proposal: NaN where it diverges. */
    private double at(Map<TrialOption, String> x) {
        String hidden = x.get(TrialOption.HIDDEN);
        double lr = Math.log(Double.parseDouble(x.get(TrialOption.LR)));
        boolean none = x.get(TrialOption.CLIP).equals("none");
        double clip = none ? 0 : Math.log(Double.parseDouble(x.get(TrialOption.CLIP)));
        List<double[]> near = new ArrayList<>();
        for (Point p : points) {
            if (p.hidden().equals(hidden) && Double.isNaN(p.clip()) == none) {
                double d = Math.pow(lr - Math.log(p.lr()), 2)
                        + (none ? 0 : 0.5 * Math.pow(clip - Math.log(p.clip()), 2));
                near.add(new double[] {d, p.value(), p.diverged() ? 1 : 0});
            }
        }
        near.sort(Comparator.comparingDouble(a -> a[0]));
        if (near.get(0)[2] == 1) {
            return Double.NaN;
        }
        double weights = 0;
        double sum = 0;
        for (double[] n : near.subList(0, Math.min(3, near.size()))) {
            if (n[2] == 0) {
                weights += 1 / (n[0] + 1e-4);
                sum += n[1] / (n[0] + 1e-4);
            }
        }
        return sum / weights;
    }

    /** One sweep: trials to within the target (budget + 1 when never), its best, its diverged trials. */
    private record Run(int trialsToTarget, double best, int diverged) {
    }

    private Run sweep(Searcher searcher, int budget, double target) {
        Map<Integer, Double> values = new LinkedHashMap<>();
        java.util.ArrayDeque<Integer> running = new java.util.ArrayDeque<>();
        int next = 0;
        int hit = budget + 1;
        int diverged = 0;
        double best = Double.POSITIVE_INFINITY;
        for (int done = 0; done < budget; done++) {
            while (running.size() < 2 && next < budget) {
                Suggestion s = searcher.suggest(next);
                if (s.kind() != Suggestion.Kind.TRIAL) {
                    break;
                }
                values.put(next, at(s.chosen()));
                running.add(next++);
            }
            int i = running.poll();
            double v = values.get(i);
            if (Double.isNaN(v)) {
                diverged++;
                searcher.onTrialComplete(i, TrialStatus.DIVERGED, Double.NaN);
                continue;
            }
            searcher.onTrialResult(i, 8, v);
            searcher.onTrialComplete(i, TrialStatus.FINISHED, v);
            best = Math.min(best, v);
            if (v <= target) {
                hit = Math.min(hit, i + 1);
            }
        }
        return new Run(hit, best, diverged);
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    /**
     * Returns the space the mapping sweep searched, from its output folder's spec.yaml, read without the corpus
     * (the mapping's temporary folder held it; the space does not depend on it).
     */
    @SuppressWarnings("unchecked")
    static Map<TrialOption, Domain> mappedSpace(Path specFile) throws IOException {
        Map<String, Object> spec = new org.yaml.snakeyaml.Yaml().load(java.nio.file.Files.readString(specFile));
        ((Map<String, Object>) spec.get("fixed")).remove("corpus");
        return SpecLoader.parse(specFile.toString(), new org.yaml.snakeyaml.Yaml().dump(spec)).space();
    }

    /** Runs the benchmark: {@code MAP_DIR OUT.json [TRIALS] [STARTUP] [SEEDS]}. */
    public static void main(String[] args) throws IOException {
        SweepData map = SweepData.load(Path.of(args[0]));
        Path out = Path.of(args[1]);
        int budget = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        int startup = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int seeds = args.length > 4 ? Integer.parseInt(args[4]) : 300;
        TpeLandscapeBench bench = new TpeLandscapeBench(map);
        double best = bench.points.stream().filter(p -> !p.diverged()).mapToDouble(Point::value).min().orElseThrow();
        double target = best * 1.02;
        Map<TrialOption, Domain> space = mappedSpace(Path.of(args[0]).resolve("spec.yaml"));
        Map<String, Object> methods = new LinkedHashMap<>();
        for (String method : List.of("random", "tpe-bergstra", "tpe")) {
            List<Double> trials = new ArrayList<>();
            List<Double> bests = new ArrayList<>();
            List<Double> diverged = new ArrayList<>();
            int reached = 0;
            for (int seed = 0; seed < seeds; seed++) {
                Searcher s = switch (method) {
                    case "random" -> new RandomSearch(space, budget, seed);
                    case "tpe-bergstra" -> new TpeSearch(space, budget, startup, seed, false, List.of(),
                            TpeSearch.Tuning.BERGSTRA);
                    default -> new TpeSearch(space, budget, startup, seed, false, List.of());
                };
                Run r = bench.sweep(s, budget, target);
                trials.add((double) r.trialsToTarget());
                bests.add(r.best());
                diverged.add((double) r.diverged());
                reached += r.trialsToTarget() <= budget ? 1 : 0;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("median_trials_to_2pct", median(trials));
            m.put("mean_trials_to_2pct", trials.stream().mapToDouble(Double::doubleValue).average().orElse(0));
            m.put("runs_within_2pct", reached);
            m.put("median_best", median(bests));
            m.put("mean_diverged_trials", diverged.stream().mapToDouble(Double::doubleValue).average().orElse(0));
            methods.put(method, m);
            System.out.printf("%-13s median trials to 2%%: %4.0f, %d of %d runs got there, median best %.4f,"
                    + " diverged %.1f per run%n", method, median(trials), reached, seeds, median(bests),
                    diverged.stream().mapToDouble(Double::doubleValue).average().orElse(0));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("landscape", Map.of("trials", map.trials().size(), "usable", bench.points.size(),
                "best", best, "within_2pct", bench.points.stream().filter(p -> !p.diverged() && p.value() <= target)
                        .count(), "diverged", bench.points.stream().filter(Point::diverged).count()));
        result.put("trials", budget);
        result.put("tpe_startup_trials", startup);
        result.put("seeds", seeds);
        result.put("concurrent", 2);
        result.put("methods", methods);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), result);
    }
}
