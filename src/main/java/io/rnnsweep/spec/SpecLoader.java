package io.rnnsweep.spec;

import io.rnnsweep.search.SearchAlgorithm;
import io.rnnsweep.search.Searcher;
import io.rnnsweep.space.Domain;
import io.rnnsweep.task.LossKind;
import io.rnnsweep.task.RnnTask;
import io.rnnsweep.task.Tasks;
import io.rnnsweep.trial.Divergence;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.InvalidOptionException;
import io.rnnsweep.trial.Objective;
import io.rnnsweep.trial.ObjectiveMode;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.DuplicateKeyException;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a sweep spec from YAML and validates all of it, every expanded trial included, before anything runs.
 *
 * <p>Every error is a {@link SpecException} naming the field's dotted path, the value and what is allowed;
 * an unknown key comes with the closest known one.
 */
public final class SpecLoader {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final List<String> TOP = List.of("name", "task", "objective", "search", "space", "fixed",
            "execution", "scheduler", "tracking", "divergence");
    private static final List<String> DIVERGENCE = List.of("baseline_factor", "best_factor");
    private static final List<String> OBJECTIVE = List.of("metric", "mode");
    private static final List<String> SEARCH = List.of("algorithm", "trials", "seed", "startup_trials",
            "warm_start");
    private static final List<String> EXECUTION = List.of("max_concurrent", "cpus_per_trial", "gpus_per_trial",
            "timeout_minutes", "retries", "mode", "checkpoint_every");
    private static final List<String> SCHEDULER = List.of("algorithm", "max_epochs", "grace_epochs",
            "reduction_factor", "min_samples", "checkpoint_dir", "keep_checkpoints");
    private static final List<String> TRACKING = List.of("uri", "experiment");
    private static final List<String> DISTRIBUTIONS = List.of("choice", "uniform", "loguniform", "int");
    /** Trials a spec may expand to. */
    static final int MAX_TRIALS = 10_000;

    private final String source;

    private SpecLoader(String source) {
        this.source = source;
    }

    /** Reads and validates the spec file. */
    public static SweepSpec load(Path file) {
        SpecLoader loader = new SpecLoader(file.toString());
        String text;
        try {
            text = Files.readString(file);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new SpecException(file.toString(), "spec", file.toString(), "a YAML text file in UTF-8 (this file"
                    + " is not UTF-8 text: a binary file, or another encoding)");
        } catch (IOException e) {
            throw new SpecException(file.toString(), "spec", file.toString(), "a readable YAML file ("
                    + (Files.isDirectory(file) ? "this is a folder" : Files.exists(file) ? e.getMessage()
                    : "no such file") + ")");
        }
        return loader.parse(text);
    }

    /** Validates a spec given as YAML text; {@code source} names it in errors. */
    public static SweepSpec parse(String source, String yaml) {
        return new SpecLoader(source).parse(yaml);
    }

    private SweepSpec parse(String text) {
        Object root;
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try {
            root = new Yaml(new SafeConstructor(options)).load(text);
        } catch (DuplicateKeyException e) {
            // A section or option given twice: YAML would keep the later one without a word.
            String key = e.getProblem().replaceFirst("^found duplicate key ", "");
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw error("yaml", key + (line > 0 ? " (again at line " + line + ")" : ""),
                    "each key once in its mapping");
        } catch (YAMLException e) {
            String where = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw error("yaml", abbreviate(text), "well-formed YAML (" + where + ")");
        }
        Map<String, Object> top = mapping("(top level)", root);
        keys("", top, TOP);

        Object rawName = require(top, "", "name");
        // An all-digit name (name: 2024) reads as a number: take it as the text it is.
        String name = rawName instanceof Integer || rawName instanceof Long || rawName instanceof java.math.BigInteger
                ? rawName.toString() : string("name", rawName);
        if (!NAME.matcher(name).matches()) {
            throw error("name", name, "1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        TaskName taskName;
        try {
            taskName = TaskName.parse(string("task", require(top, "", "task")));
        } catch (InvalidOptionException e) {
            throw error("task", e.value(), e.allowed());
        }
        RnnTask task = Tasks.get(taskName);
        if (task.loss() == LossKind.NONE) {
            throw error("task", taskName.key(), "a task that trains (srn has fixed weights: run it with"
                    + " 'rnnsweep train --task srn')");
        }

        Objective objective = objective(task, mapping("objective", require(top, "", "objective")));

        Map<String, Object> search = top.containsKey("search") ? mapping("search", top.get("search")) : Map.of();
        keys("search.", search, SEARCH);
        SearchAlgorithm algorithm = search.containsKey("algorithm")
                ? enumValue("search.algorithm", search.get("algorithm"), SearchAlgorithm.values(), SearchAlgorithm::key)
                : SearchAlgorithm.GRID;
        if (algorithm == SearchAlgorithm.GRID && search.containsKey("trials")) {
            throw error("search.trials", String.valueOf(search.get("trials")),
                    "nothing for a grid search (its size is the product of the lists); use algorithm: random");
        }
        int trials = search.containsKey("trials") ? (int) integer("search.trials", search.get("trials"), 1, MAX_TRIALS) : 10;
        long searchSeed = search.containsKey("seed") ? integer("search.seed", search.get("seed"), 0, Integer.MAX_VALUE) : 0;
        for (String key : List.of("startup_trials", "warm_start")) {
            if (search.containsKey(key) && algorithm != SearchAlgorithm.TPE) {
                throw error("search." + key, String.valueOf(search.get(key)), "nothing for search algorithm "
                        + algorithm.key() + " (it applies to tpe)");
            }
        }
        int startup = 0;
        List<String> warmStart = new ArrayList<>();
        if (algorithm == SearchAlgorithm.TPE) {
            startup = search.containsKey("startup_trials")
                    ? (int) integer("search.startup_trials", search.get("startup_trials"), 1, MAX_TRIALS)
                    : Math.min(10, Math.max(1, trials / 3));
            if (startup > trials) {
                throw error("search.startup_trials", Integer.toString(startup), "an integer from 1 to search.trials"
                        + " = " + trials + " (the random trials before the model takes over are part of them)");
            }
            if (search.containsKey("warm_start")) {
                Object raw = search.get("warm_start");
                if (!(raw instanceof List<?> list) || list.isEmpty()) {
                    throw error("search.warm_start", String.valueOf(raw), "a list of earlier sweeps' names");
                }
                for (Object o : list) {
                    String earlier = String.valueOf(o);
                    if (!NAME.matcher(earlier).matches()) {
                        throw error("search.warm_start", earlier, "sweep names: 1 to 100 letters, digits, '.', '_'"
                                + " or '-'");
                    }
                    warmStart.add(earlier);
                }
            }
        }

        Map<String, Object> fixedRaw = top.containsKey("fixed") ? mapping("fixed", top.get("fixed")) : Map.of();
        Map<TrialOption, String> fixed = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : fixedRaw.entrySet()) {
            TrialOption o = option(task, "fixed.", e.getKey());
            fixed.put(o, scalar("fixed." + e.getKey(), e.getValue()));
        }

        Map<String, Object> spaceRaw = mapping("space", require(top, "", "space"));
        if (spaceRaw.isEmpty()) {
            throw error("space", "{}", "at least one option with the values to try");
        }
        Map<TrialOption, Domain> space = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : spaceRaw.entrySet()) {
            TrialOption o = option(task, "space.", e.getKey());
            if (fixed.containsKey(o)) {
                throw error("space." + o.key(), String.valueOf(e.getValue()), "an option that is not also in fixed");
            }
            space.put(o, domain("space." + o.key(), o, e.getValue(), algorithm));
            if (space.get(o) instanceof Domain.Or or) {
                for (String v : or.values()) {
                    try {
                        Tasks.resolve(taskName, Map.of(o, v));
                    } catch (InvalidOptionException ex) {
                        throw error("space." + o.key() + ".or", v, ex.allowed());
                    }
                }
            }
        }

        ExecutionSpec execution = execution(top.containsKey("execution")
                ? mapping("execution", top.get("execution")) : Map.of());
        if (execution.mode() == ExecutionMode.DATA_PARALLEL && !task.layerStack()) {
            throw error("execution.mode", ExecutionMode.DATA_PARALLEL.key(), "trial-parallel for task "
                    + taskName.key() + " (data-parallel training needs a layer-stack network; "
                    + taskName.key() + " is an encoder-decoder graph)");
        }

        if (execution.mode() == ExecutionMode.DATA_PARALLEL) {
            String fixedClip = fixed.getOrDefault(TrialOption.CLIP, "");
            Domain sweptClip = space.get(TrialOption.CLIP);
            boolean relative = fixedClip.startsWith("relative:") || (sweptClip instanceof Domain.Choice c
                    && c.values().stream().anyMatch(v -> v.startsWith("relative:")));
            if (relative) {
                throw error(space.containsKey(TrialOption.CLIP) ? "space.clip" : "fixed.clip", "relative",
                        "an absolute threshold or none with execution.mode data-parallel (a relative threshold is"
                                + " calibrated on one trainer's updates)");
            }
        }
        SchedulerSpec scheduler = scheduler(task, fixed, space, top.containsKey("scheduler")
                ? mapping("scheduler", top.get("scheduler")) : null);
        if (scheduler.segmented() && execution.mode() == ExecutionMode.DATA_PARALLEL) {
            throw error("scheduler.algorithm", scheduler.algorithm().key(), "fifo with execution.mode "
                    + ExecutionMode.DATA_PARALLEL.key() + " (a data-parallel sweep runs one trial at a time across"
                    + " every executor; early stopping needs trial-parallel execution)");
        }

        Map<String, Object> tracking = top.containsKey("tracking") ? mapping("tracking", top.get("tracking")) : Map.of();
        keys("tracking.", tracking, TRACKING);
        Optional<String> uri = tracking.containsKey("uri")
                ? Optional.of(string("tracking.uri", tracking.get("uri"))) : Optional.empty();
        String experiment = tracking.containsKey("experiment") ? string("tracking.experiment", tracking.get("experiment"))
                : name;

        Map<String, Object> divergenceRaw = top.containsKey("divergence")
                ? mapping("divergence", top.get("divergence")) : Map.of();
        keys("divergence.", divergenceRaw, DIVERGENCE);
        Divergence divergence = new Divergence(
                factor("divergence.baseline_factor", divergenceRaw, Divergence.DEFAULT.baselineFactor()),
                factor("divergence.best_factor", divergenceRaw, Divergence.DEFAULT.bestFactor()));

        SweepSpec spec = new SweepSpec(name, taskName, objective, algorithm,
                algorithm == SearchAlgorithm.GRID ? 0 : trials, searchSeed, space, fixed, execution, scheduler, uri,
                experiment, startup, warmStart, divergence);
        if (algorithm == SearchAlgorithm.GRID) {
            long size = 1;
            for (Domain d : space.values()) {
                size *= ((Domain.Choice) d).values().size();
                if (size > MAX_TRIALS) {
                    throw error("space", spaceRaw.keySet().toString(), "a grid of at most " + MAX_TRIALS + " trials");
                }
            }
        }
        if (algorithm != SearchAlgorithm.GRID) {
            long distinct = spec.distinctConfigurations();
            if (trials > distinct) {
                throw error("search.trials", Integer.toString(trials), "at most " + distinct + ", the distinct"
                        + " configurations of space (" + algorithm.key() + " search never trains one twice; a grid of"
                        + " lists trains each once)");
            }
        }
        checkTrials(spec);
        return spec;
    }

    /** Builds every trial's configuration and opens its task data, so option and data errors surface now. */
    private void checkTrials(SweepSpec spec) {
        RnnTask task = Tasks.get(spec.task());
        Set<String> opened = new java.util.HashSet<>();
        for (Map<TrialOption, String> chosen : Searcher.planned(spec.searcher())) {
            TrialConfig config;
            try {
                config = spec.trialConfig(chosen);
                // Data checks depend on few options; open each distinct data shape once.
                String key = config.corpus() + "/" + config.batch() + "/" + config.seqLen();
                if (opened.add(key)) {
                    task.open(config);
                }
            } catch (InvalidOptionException e) {
                TrialOption o = TrialOption.byKey(e.option()).orElse(null);
                String field = o != null && spec.space().containsKey(o) ? "space." + e.option() : "fixed." + e.option();
                throw error(field, e.value(), e.allowed());
            }
        }
    }

    private Objective objective(RnnTask task, Map<String, Object> raw) {
        keys("objective.", raw, OBJECTIVE);
        String metric = string("objective.metric", require(raw, "objective.", "metric"));
        List<String> produced = metricsOf(task);
        if (!produced.contains(metric)) {
            throw error("objective.metric", metric, "a metric task " + task.name().key() + " produces: "
                    + String.join(", ", produced) + didYouMean(metric, produced));
        }
        ObjectiveMode mode = enumValue("objective.mode", require(raw, "objective.", "mode"), ObjectiveMode.values(),
                ObjectiveMode::key);
        return new Objective(metric, mode);
    }

    /** Returns the per-epoch metrics a task produces. */
    static List<String> metricsOf(RnnTask task) {
        return EpochResult.metricNames(task.metrics(), task.loss() == LossKind.CROSS_ENTROPY);
    }

    private Domain domain(String field, TrialOption option, Object raw, SearchAlgorithm algorithm) {
        if (raw instanceof List<?> list) {
            if (list.isEmpty()) {
                throw error(field, "[]", "a non-empty list of values");
            }
            List<String> values = new ArrayList<>();
            for (Object v : list) {
                values.add(scalar(field, v));
            }
            return new Domain.Choice(values);
        }
        if (raw instanceof Map<?, ?> map) {
            Map<String, Object> m = mapping(field, map);
            if (m.size() == 2 && m.containsKey("or")) {
                // A distribution or listed values: {loguniform: [0.05, 10], or: [none]}
                Map<String, Object> rest = new LinkedHashMap<>(m);
                Object extra = rest.remove("or");
                if (!(extra instanceof List<?> list) || list.isEmpty()) {
                    throw error(field + ".or", String.valueOf(extra), "a non-empty list of values");
                }
                Domain distribution = domain(field, option, rest, algorithm);
                if (distribution instanceof Domain.Choice) {
                    throw error(field + ".or", String.valueOf(extra), "values beside a distribution (uniform,"
                            + " loguniform or int); with a list, put them in the list");
                }
                List<String> values = new ArrayList<>();
                for (Object v : list) {
                    values.add(scalar(field + ".or", v));
                }
                return new Domain.Or(distribution, values);
            }
            if (m.size() != 1) {
                throw error(field, String.valueOf(raw), "one of " + DISTRIBUTIONS + " with its arguments (and"
                        + " optionally or: [values])");
            }
            String kind = m.keySet().iterator().next();
            Object args = m.get(kind);
            if (!DISTRIBUTIONS.contains(kind)) {
                throw error(field + "." + kind, String.valueOf(args), "a distribution: " + String.join(", ", DISTRIBUTIONS)
                        + didYouMean(kind, DISTRIBUTIONS));
            }
            if (kind.equals("choice")) {
                return domain(field, option, args, algorithm);
            }
            if (algorithm == SearchAlgorithm.GRID) {
                throw error(field, kind + " " + args, "a list of values: a grid search cannot expand a distribution"
                        + " (use search: {algorithm: random, trials: N})");
            }
            if (!(args instanceof List<?> bounds) || bounds.size() != 2) {
                throw error(field + "." + kind, String.valueOf(args), "[low, high]");
            }
            try {
                if (kind.equals("int")) {
                    return new Domain.IntRange(integer(field, bounds.get(0), Long.MIN_VALUE, Long.MAX_VALUE),
                            integer(field, bounds.get(1), Long.MIN_VALUE, Long.MAX_VALUE));
                }
                double low = number(field, bounds.get(0));
                double high = number(field, bounds.get(1));
                return kind.equals("uniform") ? new Domain.Uniform(low, high) : new Domain.LogUniform(low, high);
            } catch (IllegalArgumentException e) {
                if (e instanceof SpecException s) {
                    throw s;
                }
                throw error(field + "." + kind, String.valueOf(args), e.getMessage());
            }
        }
        throw error(field, String.valueOf(raw), algorithm == SearchAlgorithm.GRID ? "a list of values"
                : "a list of values, or {uniform|loguniform|int: [low, high]} (optionally with or: [values])");
    }

    private ExecutionSpec execution(Map<String, Object> raw) {
        keys("execution.", raw, EXECUTION);
        ExecutionSpec d = ExecutionSpec.DEFAULTS;
        int maxConcurrent = raw.containsKey("max_concurrent")
                ? (int) integer("execution.max_concurrent", raw.get("max_concurrent"), 1, 10_000) : d.maxConcurrent();
        int cpus = raw.containsKey("cpus_per_trial")
                ? (int) integer("execution.cpus_per_trial", raw.get("cpus_per_trial"), 1, 1024) : d.cpusPerTrial();
        int gpus = raw.containsKey("gpus_per_trial")
                ? (int) integer("execution.gpus_per_trial", raw.get("gpus_per_trial"), 0, 64) : d.gpusPerTrial();
        Optional<Duration> timeout = raw.containsKey("timeout_minutes")
                ? Optional.of(Duration.ofSeconds(Math.round(60 * positive("execution.timeout_minutes",
                        raw.get("timeout_minutes"))))) : d.timeout();
        int retries = raw.containsKey("retries")
                ? (int) integer("execution.retries", raw.get("retries"), 0, 100) : d.retries();
        ExecutionMode mode = raw.containsKey("mode")
                ? enumValue("execution.mode", raw.get("mode"), ExecutionMode.values(), ExecutionMode::key) : d.mode();
        int every = raw.containsKey("checkpoint_every")
                ? (int) integer("execution.checkpoint_every", raw.get("checkpoint_every"), 0, 1_000_000)
                : d.checkpointEvery();
        return new ExecutionSpec(maxConcurrent, cpus, gpus, timeout, retries, mode, every);
    }

    /**
     * Reads the scheduler section; a segmented scheduler decides every trial's epochs, so {@code epochs} is
     * not swept and, when {@code max_epochs} is given, becomes a fixed option.
     */
    private SchedulerSpec scheduler(RnnTask task, Map<TrialOption, String> fixed, Map<TrialOption, Domain> space,
                                    Map<String, Object> raw) {
        int defaultEpochs = fixed.containsKey(TrialOption.EPOCHS)
                ? (int) integer("fixed.epochs", integerText(fixed.get(TrialOption.EPOCHS)), 1, 1_000_000)
                : Tasks.resolve(task.name(), Map.of()).epochs();
        if (raw == null) {
            return SchedulerSpec.fifo(defaultEpochs);
        }
        keys("scheduler.", raw, SCHEDULER);
        SchedulerAlgorithm algorithm = enumValue("scheduler.algorithm", require(raw, "scheduler.", "algorithm"),
                SchedulerAlgorithm.values(), SchedulerAlgorithm::key);
        for (String key : List.of("grace_epochs", "reduction_factor", "min_samples", "keep_checkpoints")) {
            boolean applies = switch (key) {
                case "reduction_factor" -> algorithm.rungBased();
                case "min_samples" -> algorithm == SchedulerAlgorithm.MEDIAN;
                default -> algorithm != SchedulerAlgorithm.FIFO;
            };
            if (raw.containsKey(key) && !applies) {
                throw error("scheduler." + key, String.valueOf(raw.get(key)), "nothing for algorithm "
                        + algorithm.key() + " (it applies to " + switch (key) {
                            case "reduction_factor" -> "successive_halving, hyperband and asha";
                            case "min_samples" -> "median";
                            default -> "every algorithm but fifo";
                        } + ")");
            }
        }
        if (algorithm.segmented() && space.containsKey(TrialOption.EPOCHS)) {
            throw error("space.epochs", "(swept)", "a fixed value: under scheduler " + algorithm.key()
                    + " the scheduler decides each trial's epochs (set scheduler.max_epochs)");
        }
        int maxEpochs = defaultEpochs;
        if (raw.containsKey("max_epochs")) {
            maxEpochs = (int) integer("scheduler.max_epochs", raw.get("max_epochs"), 1, 1_000_000);
            if (fixed.containsKey(TrialOption.EPOCHS) && maxEpochs != defaultEpochs) {
                throw error("scheduler.max_epochs", Integer.toString(maxEpochs), "the trials' epochs, fixed.epochs = "
                        + defaultEpochs + " (set one of the two)");
            }
            fixed.put(TrialOption.EPOCHS, Integer.toString(maxEpochs));
        }
        int grace = SchedulerSpec.GRACE;
        if (raw.containsKey("grace_epochs")) {
            if (maxEpochs < 2) {
                throw error("scheduler.grace_epochs", String.valueOf(raw.get("grace_epochs")),
                        "nothing: trials of 1 epoch cannot be stopped early (raise scheduler.max_epochs)");
            }
            grace = (int) integer("scheduler.grace_epochs", raw.get("grace_epochs"), 1, 1_000_000);
            if (grace >= maxEpochs) {
                throw error("scheduler.grace_epochs", Integer.toString(grace), "an integer from 1 to "
                        + (maxEpochs - 1) + ", below scheduler.max_epochs = " + maxEpochs
                        + " (the first rung comes before the trials' last epoch)");
            }
        }
        if (algorithm.segmented() && grace >= maxEpochs) {
            throw error("scheduler.max_epochs", Integer.toString(maxEpochs), "an integer above grace_epochs = " + grace
                    + " (otherwise no trial can be stopped early)");
        }
        int eta = raw.containsKey("reduction_factor")
                ? (int) integer("scheduler.reduction_factor", raw.get("reduction_factor"), 2, 100) : SchedulerSpec.ETA;
        int minSamples = raw.containsKey("min_samples")
                ? (int) integer("scheduler.min_samples", raw.get("min_samples"), 1, MAX_TRIALS) : SchedulerSpec.MIN_SAMPLES;
        Optional<String> dir = Optional.empty();
        if (raw.containsKey("checkpoint_dir")) {
            String text = string("scheduler.checkpoint_dir", raw.get("checkpoint_dir"));
            try {
                new java.net.URI(text);
            } catch (java.net.URISyntaxException e) {
                throw error("scheduler.checkpoint_dir", text, "a folder or a Hadoop FileSystem URI such as"
                        + " hdfs://namenode/rnnsweep/checkpoints, s3a://bucket/path or file:/shared/dir ("
                        + e.getReason() + ")");
            }
            dir = Optional.of(text);
        }
        CheckpointRetention keep = raw.containsKey("keep_checkpoints")
                ? enumValue("scheduler.keep_checkpoints", raw.get("keep_checkpoints"), CheckpointRetention.values(),
                        CheckpointRetention::key) : CheckpointRetention.FINISHED;
        return new SchedulerSpec(algorithm, maxEpochs, grace, eta, minSamples, dir, keep);
    }

    private static Object integerText(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return text;
        }
    }

    private TrialOption option(RnnTask task, String prefix, String key) {
        Optional<TrialOption> o = TrialOption.byKey(key);
        if (o.isEmpty()) {
            List<String> keys = Arrays.stream(TrialOption.values()).map(TrialOption::key).toList();
            throw error(prefix + key, key, "a trial option: " + String.join(", ", keys) + didYouMean(key, keys));
        }
        if (!task.options().contains(o.get())) {
            throw error(prefix + key, key, "an option of task " + task.name().key() + ": "
                    + task.options().stream().map(TrialOption::key).collect(Collectors.joining(", ")));
        }
        return o.get();
    }

    private void keys(String prefix, Map<String, Object> map, List<String> known) {
        for (String k : map.keySet()) {
            if (!known.contains(k)) {
                throw error(prefix + k, k, "one of " + String.join(", ", known) + didYouMean(k, known));
            }
        }
    }

    private Object require(Map<String, Object> map, String prefix, String key) {
        Object v = map.get(key);
        if (v == null) {
            throw error(prefix + key, "(missing)", "a value: the field is required");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> mapping(String field, Object raw) {
        if (!(raw instanceof Map<?, ?> m)) {
            throw error(field, String.valueOf(raw), "a mapping of keys to values");
        }
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                throw error(field, String.valueOf(k), "string keys");
            }
        }
        return new LinkedHashMap<>((Map<String, Object>) m);
    }

    private String string(String field, Object raw) {
        if (!(raw instanceof String s) || s.isBlank()) {
            throw error(field, String.valueOf(raw), "a non-empty string");
        }
        return s;
    }

    private String scalar(String field, Object raw) {
        if (raw instanceof String || raw instanceof Number || raw instanceof Boolean) {
            return String.valueOf(raw);
        }
        if (raw instanceof Map<?, ?> m && m.size() == 1 && m.containsKey("relative")) {
            // A relative clipping threshold: {relative: 2} is the value relative:2.
            Object x = m.get("relative");
            if (!(x instanceof Number)) {
                throw error(field, String.valueOf(raw), "{relative: X} with a number X > 0");
            }
            return "relative:" + x;
        }
        throw error(field, String.valueOf(raw), "a single value (a number or a word)");
    }

    private long integer(String field, Object raw, long min, long max) {
        if (!(raw instanceof Integer || raw instanceof Long || raw instanceof java.math.BigInteger)) {
            throw error(field, String.valueOf(raw), "an integer from " + min + " to " + max);
        }
        java.math.BigInteger v = new java.math.BigInteger(raw.toString());
        if (v.compareTo(java.math.BigInteger.valueOf(min)) < 0 || v.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
            throw error(field, raw.toString(), "an integer from " + min + " to " + max);
        }
        return v.longValue();
    }

    private double number(String field, Object raw) {
        if (!(raw instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw error(field, String.valueOf(raw), "a finite number");
        }
        return n.doubleValue();
    }

    /** Reads a divergence factor: a number above 1, or {@code none} (NaN); the default when absent. */
    private double factor(String field, Map<String, Object> block, double fallback) {
        String key = field.substring(field.indexOf('.') + 1);
        if (!block.containsKey(key)) {
            return fallback;
        }
        Object raw = block.get(key);
        if (raw instanceof String text && text.trim().equalsIgnoreCase("none")) {
            return Double.NaN;
        }
        if (!(raw instanceof Number n) || !Double.isFinite(n.doubleValue()) || !(n.doubleValue() > 1)) {
            throw error(field, String.valueOf(raw), "a number > 1, or none");
        }
        return n.doubleValue();
    }

    private double positive(String field, Object raw) {
        double v = number(field, raw);
        if (!(v > 0)) {
            throw error(field, String.valueOf(raw), "a number > 0");
        }
        return v;
    }

    private <E extends Enum<E>> E enumValue(String field, Object raw, E[] values,
                                            java.util.function.Function<E, String> key) {
        List<String> keys = Arrays.stream(values).map(key).toList();
        String text = raw instanceof String s ? s.trim().toLowerCase(Locale.ROOT) : String.valueOf(raw);
        for (E e : values) {
            if (key.apply(e).equals(text)) {
                return e;
            }
        }
        throw error(field, String.valueOf(raw), String.join(" | ", keys) + didYouMean(text, keys));
    }

    private SpecException error(String field, String value, String allowed) {
        return new SpecException(source, field, value, allowed);
    }

    private static String abbreviate(String text) {
        String oneLine = text.strip().replaceAll("\\s+", " ");
        return oneLine.length() > 60 ? oneLine.substring(0, 57) + "..." : oneLine;
    }

    /** Returns "; did you mean 'x'?" for the closest candidate within edit distance 2, else "". */
    static String didYouMean(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = 3;
        for (String c : candidates) {
            int d = distance(word.toLowerCase(Locale.ROOT), c);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best == null ? "" : "; did you mean '" + best + "'?";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
