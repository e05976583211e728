package io.rnnsweep.report;

import io.rnnsweep.schedule.Rungs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A finished sweep as its output folder holds it ({@code spec.yaml}, {@code trials.csv}): the swept axes, the
 * objective, and every trial's options, status and per-epoch metrics.
 *
 * @param name the sweep's name
 * @param task the task's name
 * @param metric the objective metric
 * @param minimize whether lower objective values are better
 * @param axes the swept options, in the spec's order
 * @param trials the trials, by index
 * @param stopping the early-stopping scheduler that ran the sweep; empty without one
 */
public record SweepData(String name, String task, String metric, boolean minimize, List<String> axes,
                        List<Trial> trials, Optional<Stopping> stopping) {

    /** A sweep without early stopping. */
    public SweepData(String name, String task, String metric, boolean minimize, List<String> axes,
                     List<Trial> trials) {
        this(name, task, metric, minimize, axes, trials, Optional.empty());
    }

    /**
     * The early-stopping scheduler of a sweep.
     *
     * @param algorithm its name (asha, successive_halving, hyperband, median)
     * @param maxEpochs the epochs of a trial never stopped
     * @param graceEpochs the first rung, or the median rule's grace period
     * @param rungs the epochs where trials were ranked: the rungs (the grace period for the median rule)
     */
    public record Stopping(String algorithm, int maxEpochs, int graceEpochs, List<Integer> rungs) {
        /** Copies the rungs. */
        public Stopping {
            rungs = List.copyOf(rungs);
        }
    }

    /**
     * One trial.
     *
     * @param index its index in the sweep
     * @param runName its readable name
     * @param options its values of the swept axes
     * @param status how it ended (FINISHED, FAILED, DIVERGED, KILLED)
     * @param epochs per epoch, every metric by name (with {@code epoch})
     */
    public record Trial(int index, String runName, Map<String, String> options, String status,
                        List<Map<String, Double>> epochs) {

        /** Returns a metric's values over the epochs (NaN where missing). */
        public double[] series(String metric) {
            return epochs.stream().mapToDouble(e -> e.getOrDefault(metric, Double.NaN)).toArray();
        }

        /** Returns the mean of a metric over the epochs that have it, NaN when none. */
        public double mean(String metric) {
            return java.util.Arrays.stream(series(metric)).filter(Double::isFinite).average().orElse(Double.NaN);
        }
    }

    /** Returns a trial's best objective value over its epochs, NaN when it has none. */
    public double objective(Trial t) {
        double best = Double.NaN;
        for (double v : t.series(metric)) {
            if (Double.isFinite(v) && (Double.isNaN(best) || (minimize ? v < best : v > best))) {
                best = v;
            }
        }
        return best;
    }

    /** Returns the trials with an objective value, best first. */
    public List<Trial> ranked() {
        List<Trial> out = new ArrayList<>(trials.stream().filter(t -> Double.isFinite(objective(t))).toList());
        out.sort((a, b) -> minimize ? Double.compare(objective(a), objective(b)) : Double.compare(objective(b), objective(a)));
        return out;
    }

    /** Reads a sweep's output folder. */
    public static SweepData load(Path dir) throws IOException {
        Map<String, Object> spec = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(dir.resolve("spec.yaml"), StandardCharsets.UTF_8));
        @SuppressWarnings("unchecked")
        Map<String, Object> objective = (Map<String, Object>) spec.get("objective");
        @SuppressWarnings("unchecked")
        Map<String, Object> space = (Map<String, Object>) spec.get("space");
        List<String> axes = new ArrayList<>(space.keySet());
        String metric = String.valueOf(objective.get("metric"));
        boolean minimize = "min".equals(String.valueOf(objective.get("mode")));

        List<String> lines = Files.readAllLines(dir.resolve("trials.csv"), StandardCharsets.UTF_8);
        List<String> header = cells(lines.get(0));
        int epochCol = header.indexOf("epoch");
        int statusCol = header.indexOf("status");
        Map<Integer, Trial> trials = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> c = cells(line);
            int index = Integer.parseInt(c.get(0));
            Trial t = trials.get(index);
            if (t == null) {
                Map<String, String> options = new LinkedHashMap<>();
                for (String axis : axes) {
                    options.put(axis, c.get(header.indexOf(axis)));
                }
                t = new Trial(index, c.get(1), options, c.get(statusCol), new ArrayList<>());
                trials.put(index, t);
            }
            if (!c.get(epochCol).isEmpty()) {
                Map<String, Double> e = new LinkedHashMap<>();
                for (int i = epochCol; i < statusCol; i++) {
                    e.put(header.get(i), c.get(i).isEmpty() ? Double.NaN : Double.parseDouble(c.get(i)));
                }
                t.epochs().add(e);
            }
        }
        return new SweepData(String.valueOf(spec.get("name")), String.valueOf(spec.get("task")), metric, minimize,
                axes, List.copyOf(trials.values()), stopping(spec.get("scheduler")));
    }

    /** Reads the early-stopping scheduler of a resolved spec's YAML text: empty for none, fifo or no text. */
    public static Optional<Stopping> stoppingOf(String specYaml) {
        if (specYaml.isBlank()) {
            return Optional.empty();
        }
        Object spec = new Yaml(new SafeConstructor(new LoaderOptions())).load(specYaml);
        return spec instanceof Map<?, ?> m ? stopping(m.get("scheduler")) : Optional.empty();
    }

    /** Reads the scheduler section of a resolved spec: empty for none or fifo. */
    private static Optional<Stopping> stopping(Object section) {
        if (!(section instanceof Map<?, ?> m) || !m.containsKey("max_epochs") || "fifo".equals(m.get("algorithm"))) {
            return Optional.empty();
        }
        String algorithm = String.valueOf(m.get("algorithm"));
        int max = ((Number) m.get("max_epochs")).intValue();
        int grace = m.get("grace_epochs") instanceof Number n ? n.intValue() : 1;
        int eta = m.get("reduction_factor") instanceof Number n ? n.intValue() : 3;
        List<Integer> rungs = algorithm.equals("median") || grace >= max ? List.of(grace)
                : new Rungs(grace, max, eta).milestones();
        return Optional.of(new Stopping(algorithm, max, grace, rungs));
    }

    /** Splits one CSV line (RFC 4180 quoting). */
    static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        out.add(cell.toString());
        return out;
    }
}
