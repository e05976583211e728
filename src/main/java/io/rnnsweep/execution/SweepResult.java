package io.rnnsweep.execution;

import io.rnnsweep.spec.SpecWriter;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.task.Tasks;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.Objective;
import io.rnnsweep.trial.TrialOption;
import io.rnnsweep.trial.TrialStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A finished sweep: every trial's task and outcome, the leaderboard, and the files of the output folder.
 *
 * @param spec the sweep's spec
 * @param tasks every trial's task, in trial order
 * @param outcomes every trial's outcome, in trial order
 * @param wallSeconds the sweep's wall time
 * @param rungs under an early-stopping scheduler, each trial's last rung: the epoch of the last decision it
 *     reached (its epochs when it finished); empty for sweeps without one
 * @param jvm what the driver's JVM spent over the sweep's wall time (CPU, JIT compilation, garbage collection);
 *     null where it was not measured
 */
public record SweepResult(SweepSpec spec, List<TrialTask> tasks, List<TrialOutcome> outcomes, double wallSeconds,
                          Map<Integer, Integer> rungs, JvmUsage jvm) {
    /** Copies the rungs. */
    public SweepResult {
        rungs = Map.copyOf(rungs);
    }

    /** Creates the result of a sweep without early stopping whose JVM's spending was not measured. */
    public SweepResult(SweepSpec spec, List<TrialTask> tasks, List<TrialOutcome> outcomes, double wallSeconds) {
        this(spec, tasks, outcomes, wallSeconds, Map.of(), null);
    }

    /**
     * Returns this result with the epochs a tracking store holds for trials that came back with fewer (a cancelled
     * trial's job returns none, while its run holds every epoch it trained), so the output folder has them all.
     *
     * @param stored each trial's epochs as the store holds them, by trial index
     */
    public SweepResult withStoredEpochs(Map<Integer, List<EpochResult>> stored) {
        List<TrialOutcome> filled = new java.util.ArrayList<>();
        for (TrialOutcome o : outcomes) {
            List<EpochResult> held = stored.getOrDefault(o.index(), List.of());
            filled.add(held.size() > o.epochs().size() ? o.wholeTrial(held, o.seconds()) : o);
        }
        return new SweepResult(spec, tasks, filled, wallSeconds, rungs, jvm);
    }

    /** Returns whether the trials were scheduled in rungs (the tables then show each trial's rung). */
    public boolean scheduled() {
        return !rungs.isEmpty();
    }

    /**
     * One leaderboard line: a trial and its best objective value over its epochs.
     *
     * @param index the trial's index
     * @param runName the trial's readable name
     * @param chosen the trial's swept values
     * @param objective its best objective value (NaN when it has none)
     * @param bestEpoch the epoch of that value (0 when none)
     * @param status how the trial ended
     * @param epochs the epochs it trained
     * @param rung its last rung under an early-stopping scheduler, 0 without one
     */
    public record Row(int index, String runName, Map<String, String> chosen, double objective, int bestEpoch,
                      TrialStatus status, int epochs, int rung) {
    }

    /** Returns the trials ranked by their best objective value; trials without one come last. */
    public List<Row> leaderboard() {
        Objective objective = spec.objective();
        List<Row> rows = new ArrayList<>();
        for (TrialTask t : tasks) {
            TrialOutcome o = outcomes.get(t.index());
            double best = Double.NaN;
            int bestEpoch = 0;
            for (EpochResult e : o.epochs()) {
                if (objective.mode().better(objective.of(e), best)) {
                    best = objective.of(e);
                    bestEpoch = e.epoch();
                }
            }
            rows.add(new Row(t.index(), runName(t), SweepController.chosen(spec, t), best, bestEpoch, o.status(),
                    o.epochs().size(), rungs.getOrDefault(t.index(), 0)));
        }
        Comparator<Row> byValue = Comparator.comparingDouble(Row::objective);
        if (objective.mode() == io.rnnsweep.trial.ObjectiveMode.MAX) {
            byValue = byValue.reversed();
        }
        Comparator<Row> order = Comparator.<Row, Boolean>comparing(r -> Double.isNaN(r.objective()))
                .thenComparing(byValue).thenComparingInt(Row::index);
        rows.sort(order);
        return rows;
    }

    private String runName(TrialTask t) {
        return t.config().runName();
    }

    /** Returns the epochs all trials trained together: the sweep's compute. */
    public int epochsTrained() {
        return outcomes.stream().mapToInt(o -> o.epochs().size()).sum();
    }

    /** Returns how many trials ended with the given status. */
    public long count(TrialStatus status) {
        return outcomes.stream().filter(o -> o.status() == status).count();
    }

    /** Returns the top rows as a console table. */
    public String table(int top) {
        StringBuilder s = new StringBuilder();
        String rungHead = scheduled() ? String.format(Locale.ROOT, "%-5s %-6s ", "rung", "epochs") : "";
        s.append(String.format(Locale.ROOT, "%-4s %-6s %-46s %-12s %-5s %s%-9s %s%n", "rank", "trial", "run",
                spec.objective().metric(), "epoch", rungHead, "status", "options"));
        List<Row> rows = leaderboard();
        for (int i = 0; i < Math.min(top, rows.size()); i++) {
            Row r = rows.get(i);
            String rung = scheduled() ? String.format(Locale.ROOT, "%-5d %-6d ", r.rung(), r.epochs()) : "";
            s.append(String.format(Locale.ROOT, "%-4d %-6d %-46s %-12s %-5d %s%-9s %s%n", i + 1, r.index(), r.runName(),
                    Double.isNaN(r.objective()) ? "-" : String.format(Locale.ROOT, "%.6g", r.objective()),
                    r.bestEpoch(), rung, r.status(), r.chosen()));
        }
        return s.toString();
    }

    /** Writes spec.yaml (resolved), trials.csv, leaderboard.csv and summary.json into {@code dir}. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("spec.yaml"), SpecWriter.toYaml(spec), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("trials.csv"), trialsCsv(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("leaderboard.csv"), leaderboardCsv(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("summary.json"), summaryJson(), StandardCharsets.UTF_8);
    }

    private List<String> metricNames() {
        var task = Tasks.get(spec.task());
        return EpochResult.metricNames(task.metrics(), task.loss() == io.rnnsweep.task.LossKind.CROSS_ENTROPY);
    }

    String trialsCsv() {
        List<String> options = spec.space().keySet().stream().map(TrialOption::key).toList();
        List<String> metrics = metricNames();
        StringBuilder s = new StringBuilder();
        List<String> end = scheduled() ? List.of("status", "host", "pid", "rung") : List.of("status", "host", "pid");
        s.append(csv(concat(List.of("trial", "run_name"), options, List.of("epoch"), metrics, end))).append('\n');
        for (TrialTask t : tasks) {
            TrialOutcome o = outcomes.get(t.index());
            List<String> head = new ArrayList<>(List.of(Integer.toString(t.index()), runName(t)));
            options.forEach(k -> head.add(t.options().get(k)));
            List<String> rung = scheduled() ? List.of(Integer.toString(rungs.getOrDefault(t.index(), 0))) : List.of();
            if (o.epochs().isEmpty()) {
                List<String> empty = new ArrayList<>();
                metrics.forEach(m -> empty.add(""));
                s.append(csv(concat(head, List.of(""), empty, concat(List.of(o.status().name(), o.host(),
                        Long.toString(o.pid())), rung)))).append('\n');
            }
            for (EpochResult e : o.epochs()) {
                List<String> values = metrics.stream().map(m -> number(e.metric(m))).toList();
                // Each epoch names the JVM that trained it: a trial's segments may run on different executors.
                TrialOutcome.Placement where = o.placementOf(e.epoch());
                List<String> tail = concat(List.of(o.status().name(), where.host(), Long.toString(where.pid())), rung);
                s.append(csv(concat(head, List.of(Integer.toString(e.epoch())), values, tail))).append('\n');
            }
        }
        return s.toString();
    }

    String leaderboardCsv() {
        List<String> options = spec.space().keySet().stream().map(TrialOption::key).toList();
        StringBuilder s = new StringBuilder();
        List<String> end = new ArrayList<>(List.of(spec.objective().metric(), "best_epoch", "status"));
        if (scheduled()) {
            end.addAll(List.of("epochs", "rung"));
        }
        s.append(csv(concat(List.of("rank", "trial", "run_name"), options, end))).append('\n');
        List<Row> rows = leaderboard();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            List<String> values = options.stream().map(r.chosen()::get).toList();
            List<String> tail = new ArrayList<>(List.of(number(r.objective()), Integer.toString(r.bestEpoch()),
                    r.status().name()));
            if (scheduled()) {
                tail.addAll(List.of(Integer.toString(r.epochs()), Integer.toString(r.rung())));
            }
            s.append(csv(concat(List.of(Integer.toString(i + 1), Integer.toString(r.index()), r.runName()), values,
                    tail))).append('\n');
        }
        return s.toString();
    }

    String summaryJson() {
        List<Row> rows = leaderboard();
        Row best = rows.isEmpty() || Double.isNaN(rows.get(0).objective()) ? null : rows.get(0);
        StringBuilder s = new StringBuilder("{\n");
        s.append("  \"sweep\": ").append(json(spec.name())).append(",\n");
        s.append("  \"task\": ").append(json(spec.task().key())).append(",\n");
        s.append("  \"objective\": {\"metric\": ").append(json(spec.objective().metric())).append(", \"mode\": ")
                .append(json(spec.objective().mode().key())).append("},\n");
        s.append("  \"trials\": {\"total\": ").append(outcomes.size());
        for (TrialStatus st : List.of(TrialStatus.FINISHED, TrialStatus.FAILED, TrialStatus.DIVERGED,
                TrialStatus.KILLED)) {
            s.append(", ").append(json(st.name().toLowerCase(Locale.ROOT))).append(": ").append(count(st));
        }
        s.append("},\n");
        if (best == null) {
            s.append("  \"best\": null,\n");
        } else {
            s.append("  \"best\": {\"trial\": ").append(best.index()).append(", \"run_name\": ").append(json(best.runName()))
                    .append(", \"objective\": ").append(number(best.objective())).append(", \"epoch\": ")
                    .append(best.bestEpoch()).append(", \"options\": {")
                    .append(best.chosen().entrySet().stream().map(e -> json(e.getKey()) + ": " + json(e.getValue()))
                            .collect(Collectors.joining(", ")))
                    .append("}},\n");
        }
        s.append("  \"scheduler\": ").append(json(spec.scheduler().algorithm().key())).append(",\n");
        s.append("  \"epochs_trained\": ").append(epochsTrained()).append(",\n");
        s.append("  \"wall_seconds\": ").append(number(wallSeconds)).append(",\n");
        s.append("  \"trial_seconds\": ").append(number(outcomes.stream().mapToDouble(TrialOutcome::seconds).sum()));
        if (jvm != null) {
            s.append(",\n  \"jvm\": {\"cpu_seconds\": ").append(jsonNumber(jvm.cpuSeconds()))
                    .append(", \"jit_seconds\": ").append(jsonNumber(jvm.jitSeconds()))
                    .append(", \"gc_seconds\": ").append(jsonNumber(jvm.gcSeconds())).append("}");
        }
        s.append("\n}\n");
        return s.toString();
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> out = new ArrayList<>();
        for (List<String> p : parts) {
            out.addAll(p);
        }
        return out;
    }

    private static String csv(List<String> cells) {
        return cells.stream().map(c -> c.contains(",") || c.contains("\"") ? "\"" + c.replace("\"", "\"\"") + "\"" : c)
                .collect(Collectors.joining(","));
    }

    /**
     * A number as JSON writes it, to the millisecond, null where it is not finite ({@link #number} writes the
     * empty cell a CSV wants).
     */
    private static String jsonNumber(double v) {
        return Double.isFinite(v) ? Double.toString(Math.round(v * 1000) / 1000.0) : "null";
    }

    private static String number(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "" : Double.toString(v);
    }

    private static String json(String text) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                default -> s.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return s.append('"').toString();
    }
}
