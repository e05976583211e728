package io.rnnsweep.cli;

import io.rnnsweep.execution.ConsoleProgress;
import io.rnnsweep.execution.PriorTrial;
import io.rnnsweep.execution.SweepController;
import io.rnnsweep.execution.SweepResult;
import io.rnnsweep.execution.TrialTask;
import io.rnnsweep.report.SweepOutput;
import io.rnnsweep.search.SearchAlgorithm;
import io.rnnsweep.search.TpeSearch;
import io.rnnsweep.spark.ForestImportance;
import io.rnnsweep.spark.HadoopCheckpointStore;
import io.rnnsweep.spark.SparkTrialExecutor;
import io.rnnsweep.spec.ExecutionMode;
import io.rnnsweep.spec.SpecLoader;
import io.rnnsweep.spec.SpecWriter;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.tracking.RunStatus;
import io.rnnsweep.tracking.SweepJournal;
import io.rnnsweep.tracking.SweepRun;
import io.rnnsweep.tracking.SweepTracking;
import io.rnnsweep.tracking.TrackingLocation;
import io.rnnsweep.tracking.TrackingTarget;
import io.rnnsweep.trial.InvalidOptionException;
import io.rnnsweep.trial.TrialStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Runs a sweep: every trial as a single-task Spark job, then the leaderboard and the output folder. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a sweep spec on Spark: each trial is a one-task Spark job, at most --max-concurrent at once.",
            "Writes spec.yaml (resolved), trials.csv, leaderboard.csv and summary.json into the output folder."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the sweep ran to its end (some trials may have failed)", "1:the sweep itself failed",
            "2:bad input (the spec, an option, or an output folder that is not empty)"})
final class SweepCommand implements Callable<Integer> {
    /** How long Ctrl-C waits for the cancelled sweep to write its files and end its runs. */
    private static final long CANCEL_WIND_DOWN_SECONDS = 120;
    /** How long the checkpoint folder's FileSystem may take to take a probe file before the sweep is refused. */
    private static final long CHECKPOINT_PROBE_MILLIS = 15_000;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "SPEC", description = "the sweep spec (YAML), for example conf/hello.yaml")
    private Path file;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: the one spark-submit was given, else local[*], all local cores)")
    private String master;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: sweeps/<name>-<timestamp>)")
    private Path out;

    @Option(names = "--max-concurrent", paramLabel = "N", description = "trials at once (default: the spec's)")
    private Integer maxConcurrent;

    @Option(names = "--tracking-uri", paramLabel = "URI",
            description = {"where runs are tracked: http(s)://host[:port], databricks[://profile], file:DIR or a folder",
                "(default: the spec's tracking.uri, else MLFLOW_TRACKING_URI, else ./mlruns served by the driver)"})
    private String trackingUri;

    @Option(names = "--heatmap", paramLabel = "AXIS,AXIS", split = ",",
            description = "the report heatmap's two swept axes (default: lr,hidden when both are swept, else the first two)")
    private List<String> heatmap;

    @Option(names = "--dry-run", description = "print the expanded trials and exit; starts nothing")
    private boolean dryRun;

    @Option(names = "--resume", arity = "0..1", fallbackValue = "", paramLabel = "RUN_ID",
            description = {"continue the newest unfinished sweep of the spec's name in the tracking store, or the one"
                + " whose parent run is RUN_ID: ended trials are kept, paused ones continue from their checkpoints,"
                + " running ones restart, the rest start; same parent run and output folder"})
    private String resume;

    @Option(names = "--add-trials", paramLabel = "N",
            description = {"extend the newest sweep of the spec's name (finished or not; --resume RUN_ID picks one) by"
                + " N more trials of its random search, under the same parent run"})
    private Integer addTrials;

    @Override
    public Integer call() throws IOException, InterruptedException {
        SweepSpec s = SpecLoader.load(file);
        if (addTrials != null) {
            if (s.algorithm() == SearchAlgorithm.GRID) {
                throw new InvalidOptionException("add-trials", addTrials.toString(), "a sweep whose search draws"
                        + " trials (random, tpe): a grid's trials are fixed; sweep a wider grid instead");
            }
            if (addTrials < 1) {
                throw new InvalidOptionException("add-trials", addTrials.toString(), "an integer >= 1");
            }
            if (resume == null) {
                resume = "";
            }
        }
        PrintWriter console = spec.commandLine().getOut();
        List<TrialTask> tasks = SweepController.tasks(s);
        if (maxConcurrent != null && maxConcurrent < 1) {
            throw new InvalidOptionException("max-concurrent", maxConcurrent.toString(), "an integer >= 1");
        }
        ReportCommand.checkHeatmap(s.space().keySet().stream().map(o -> o.key()).toList(), heatmap);
        boolean dataParallel = s.execution().mode() == ExecutionMode.DATA_PARALLEL;
        // A data-parallel trial occupies every executor: trials run one after another.
        int concurrency = dataParallel ? 1 : maxConcurrent != null ? maxConcurrent : s.execution().maxConcurrent();
        if (dryRun) {
            console.printf("sweep %s: %d trials of task %s, objective %s, %d at once, scheduler %s%n", s.name(),
                    s.plannedTrials(), s.task().key(), s.objective(), concurrency, s.scheduler().describe());
            if (tasks.size() < s.plannedTrials()) {
                console.printf("the first %d (startup, random); the %s search proposes the rest from their results%n",
                        tasks.size(), s.algorithm().key());
            }
            for (TrialTask t : tasks) {
                console.println("  " + t.id() + "  " + t.options().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
            }
            console.flush();
            return 0;
        }
        Path dir = out != null ? out : Path.of("sweeps", s.name() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
        if (resume == null && Files.exists(dir)
                && (!Files.isDirectory(dir) || Files.list(dir).findAny().isPresent())) {
            throw new InvalidOptionException("out", dir.toString(), "a folder that does not exist yet or is empty");
        }
        // Under spark-submit the master is already configured (spark.master); otherwise default to local mode.
        String chosenMaster = master != null ? master : System.getProperty("spark.master") != null ? null : "local[*]";
        String effectiveMaster = chosenMaster != null ? chosenMaster : System.getProperty("spark.master");
        // Before anything starts: the master answers and offers what each trial asks; the output folder can be
        // written (found out at the end, a whole sweep's results would be lost).
        Preflight.master(effectiveMaster);
        Preflight.resources(s, file.toString(), effectiveMaster);
        TrackingLocation location = TrackingLocation.resolve(trackingUri, s.trackingUri(), System.getenv());
        InetAddress bind = effectiveMaster.startsWith("local") ? InetAddress.getLoopbackAddress() : DriverAddress.find();
        // In local mode Spark starts while the tracking store opens (each takes a second or more); a cluster
        // application is registered only once the sweep is sure to run.
        SweepSpec sparkSpec = s;
        // Logging starts here, on one thread: started by both at once, SLF4J prints a "substitute loggers" notice.
        org.slf4j.LoggerFactory.getILoggerFactory();
        CompletableFuture<SparkTrialExecutor> early = effectiveMaster.startsWith("local")
                ? CompletableFuture.supplyAsync(() -> startSpark(chosenMaster, sparkSpec), SweepCommand::onDaemon)
                : null;
        SweepRun tracking;
        List<PriorTrial> prior = List.of();
        Map<Integer, String> runIds = new LinkedHashMap<>();
        List<TpeSearch.Observation> warm = new ArrayList<>();
        SweepSpec resolved = s;
        String checkpoints;
        try {
            if (resume != null) {
                tracking = SweepRun.resume(location, bind, s.experiment(), s.name(), resume.isEmpty() ? null : resume,
                        addTrials != null);
                try {
                    Map<String, String> stored = tracking.parentTags();
                    SweepJournal.checkSameSweep(s, stored, tracking.parentRunId());
                    if (out == null && stored.containsKey("rnnsweep.out")) {
                        dir = Path.of(stored.get("rnnsweep.out"));
                    }
                    Preflight.writableFolder("out", dir);
                    List<SweepRun.StoredTrial> trials = tracking.storedTrials();
                    trials.forEach(t -> runIds.put(t.index(), t.runId()));
                    if (addTrials != null) {
                        int before = trials.stream().mapToInt(SweepRun.StoredTrial::index).max().orElse(-1) + 1;
                        int total = Math.max(before, s.trials()) + addTrials;
                        if (total > s.distinctConfigurations()) {
                            throw new InvalidOptionException("add-trials", addTrials.toString(), "at most "
                                    + (s.distinctConfigurations() - Math.max(before, s.trials())) + ": the space holds "
                                    + s.distinctConfigurations() + " distinct configurations, the sweep tried "
                                    + Math.max(before, s.trials()));
                        }
                        s = s.withTrials(total);
                        tasks = SweepController.tasks(s);
                    }
                    checkpoints = checkpointDir(s, dir, effectiveMaster);
                    warm.addAll(SweepJournal.warmStart(s, file.toString(), tracking.earlierSweeps()));
                    prior = SweepJournal.prior(trials, tasks, HadoopCheckpointStore.fromSystemProperties(), checkpoints);
                    SweepJournal.checkSameTrials(s, tasks, prior, tracking.parentRunId());
                } catch (RuntimeException e) {
                    tracking.close();
                    throw e;
                }
                tracking.reopen();
            } else {
                Preflight.writableFolder("out", dir);
                checkpoints = checkpointDir(s, dir, effectiveMaster);
                tracking = SweepRun.start(location, bind, s.experiment(), s.name(), fixedParams(s), parentTags(s, dir),
                        earlier -> warm.addAll(SweepJournal.warmStart(resolved, file.toString(), earlier)));
            }
            console.printf("tracking: experiment %s (id %s), parent run %s, %s%n", s.experiment(), tracking.experimentId(),
                    tracking.parentRunId(), tracking.display());
            if (resume != null) {
                Map<PriorTrial.Fate, Long> fates = new EnumMap<>(PriorTrial.Fate.class);
                prior.forEach(p -> fates.merge(p.fate(), 1L, Long::sum));
                console.printf("resuming sweep %s: %d trials kept, %d continued from checkpoints, %d restarted, %d new%n",
                        s.name(), fates.getOrDefault(PriorTrial.Fate.KEPT, 0L),
                        fates.getOrDefault(PriorTrial.Fate.CONTINUED, 0L), fates.getOrDefault(PriorTrial.Fate.RESTARTED, 0L),
                        Math.max(0, s.plannedTrials() - prior.size()));
            } else {
                for (String other : tracking.otherUnfinished(s.name())) {
                    console.printf("note: sweep %s has an unfinished run (parent run %s); to continue it instead:%n"
                            + "  jobs/rnnsweep sweep %s --resume %s%s%n", s.name(), other, file,
                            other, trackingUri != null ? " --tracking-uri " + trackingUri : "");
                }
            }
            console.printf("sweep %s: %d trials of task %s on %s, %s, objective %s%n", s.name(), s.plannedTrials(),
                    s.task().key(), chosenMaster != null ? chosenMaster : System.getProperty("spark.master"),
                    dataParallel ? "data-parallel (one trial at a time, each across every executor slot)"
                            : concurrency + " at once", s.objective());
            if (!s.warmStart().isEmpty()) {
                console.printf("search: tpe warm-started with %d trials of %s%n", warm.size(),
                        String.join(", ", s.warmStart()));
            }
            if (s.scheduler().segmented()) {
                console.printf("scheduler: %s; checkpoints in %s (kept: %s)%n", s.scheduler().describe(), checkpoints,
                        s.scheduler().keep().key());
            } else if (checkpoints == null && s.execution().checkpointEvery() > 0) {
                console.printf("note: trials keep no checkpoints on %s without scheduler.checkpoint_dir (a folder every"
                        + " executor reaches): a resumed sweep trains the trials that were running again from their"
                        + " first epoch%n", effectiveMaster);
            }
        } catch (Exception | Error e) {
            stopEarly(early);
            throw e;
        }
        console.flush();
        SweepResult result;
        SweepOutput output = new SweepOutput(dir, heatmap, new ForestImportance(), console);
        boolean[] cancelled = {false};
        boolean ended = false;
        int lost;
        CountDownLatch wound = new CountDownLatch(1);
        try (SparkTrialExecutor executor = early != null ? started(early) : startSpark(chosenMaster, s)) {
            // Ctrl-C: cancel the trials, then hold the JVM until the sweep has written its files and ended its
            // runs (KILLED), so nothing is left half-done.
            Thread hook = new Thread(() -> {
                cancelled[0] = true;
                executor.cancelAll();
                try {
                    wound.await(CANCEL_WIND_DOWN_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "rnnsweep-cancel");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                result = new SweepController(s, executor, concurrency, checkpoints,
                        List.of(new ConsoleProgress(s, console), new SweepTracking(s, tracking, runIds),
                                output))
                        .warmStart(warm).resume(prior);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The JVM is already exiting (Ctrl-C): the hook is cancelling the trials.
                }
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            if (!result.leaderboard().isEmpty()) {
                metrics.put("best_" + s.objective().metric(), result.leaderboard().get(0).objective());
            }
            metrics.put("trials_finished", (double) result.count(TrialStatus.FINISHED));
            metrics.put("wall_seconds", result.wallSeconds());
            lost = tracking.finish(metrics, output.files(),
                    cancelled[0] ? RunStatus.KILLED : RunStatus.FINISHED, dir.resolve(SyncCommand.UNSENT_FILE));
            ended = true;
            if (lost > 0) {
                console.printf("tracking: %d records could not be stored in %s; what it is missing is in %s and every"
                        + " trial's results are in the output folder (exit %d); when the store answers again,"
                        + " jobs/rnnsweep sync %s%s sends it%n", lost, tracking.display(),
                        dir.resolve(SyncCommand.UNSENT_FILE), Main.TRACKING_INCOMPLETE, dir,
                        !location.source().equals("default") ? " --tracking-uri " + location.server()
                                .map(TrackingTarget::uri).orElseGet(() -> location.store().toString()) : "");
            }
        } finally {
            if (!ended) {
                tracking.abandon();
            }
            tracking.close();
            if (!ended) {
                wound.countDown();
            }
        }
        console.println();
        console.print(result.table(10));
        console.printf(Locale.ROOT, "%d trials: %d finished, %d failed, %d diverged, %d stopped early (run status"
                        + " KILLED) in %.1f s; output in %s%n",
                result.outcomes().size(), result.count(TrialStatus.FINISHED),
                result.count(TrialStatus.FAILED), result.count(TrialStatus.DIVERGED),
                result.count(TrialStatus.KILLED), result.wallSeconds(), dir);
        console.flush();
        wound.countDown();
        return lost > 0 ? Main.TRACKING_INCOMPLETE : 0;
    }

    /** Starts the Spark context the sweep's trials run in. */
    private static SparkTrialExecutor startSpark(String master, SweepSpec s) {
        return SparkTrialExecutor.start(master, s.name(), s.execution().cpusPerTrial(), s.execution().retries(),
                s.execution().mode());
    }

    /** Runs a start-up step on a daemon thread of its own (it must not keep a refused sweep's JVM alive). */
    private static void onDaemon(Runnable step) {
        Thread t = new Thread(step, "rnnsweep-spark-start");
        t.setDaemon(true);
        t.start();
    }

    /** Returns the Spark context started beside the tracking store, or throws what stopped it from starting. */
    private static SparkTrialExecutor started(CompletableFuture<SparkTrialExecutor> early) {
        try {
            return early.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** Stops the Spark context started beside the tracking store of a sweep that was refused or failed to start. */
    private static void stopEarly(CompletableFuture<SparkTrialExecutor> early) {
        if (early != null) {
            try {
                early.join().close();
            } catch (RuntimeException ignored) {
                // The sweep's own failure is the one to report.
            }
        }
    }

    /**
     * Returns the folder URI where this sweep's trials keep their checkpoints: {@code scheduler.checkpoint_dir}
     * plus the output folder's name, or {@code <out>/checkpoints} in local mode; null when trials keep none (no
     * scheduler pauses them and {@code execution.checkpoint_every} is 0, or a cluster sweep without early stopping
     * names no shared folder).
     *
     * @throws InvalidOptionException when an early-stopping cluster sweep names no shared folder, or the folder's
     *     FileSystem is not on the classpath or does not take a probe file
     */
    private static String checkpointDir(SweepSpec s, Path out, String master) {
        boolean segmented = s.scheduler().segmented();
        if (!segmented && s.execution().checkpointEvery() == 0) {
            return null;
        }
        if (s.scheduler().checkpointDir().isEmpty()) {
            if (master.startsWith("local")) {
                // The output folder was found writable already.
                return out.resolve("checkpoints").toAbsolutePath().toUri().toString();
            }
            if (!segmented) {
                return null;
            }
            throw new InvalidOptionException("scheduler.checkpoint_dir", "(missing)", "a folder every executor can"
                    + " reach for a sweep on " + master + ": hdfs://..., s3a://..., or file:/... on a shared mount");
        }
        String given = s.scheduler().checkpointDir().get();
        String base = java.net.URI.create(given).getScheme() == null
                ? Path.of(given).toAbsolutePath().toUri().toString() : given;
        base = (base.endsWith("/") ? base : base + "/") + out.getFileName() + "/";
        HadoopCheckpointStore store = HadoopCheckpointStore.fromSystemProperties();
        try {
            store.checkScheme(base);
        } catch (IOException e) {
            throw new InvalidOptionException("scheduler.checkpoint_dir", base, "a URI whose FileSystem is on the"
                    + " classpath (" + e.getMessage() + ")");
        }
        try {
            store.probeWritable(base, CHECKPOINT_PROBE_MILLIS);
        } catch (IOException e) {
            throw new InvalidOptionException("scheduler.checkpoint_dir", base, "a folder this machine can reach and"
                    + " write (writing a probe file failed: " + e.getMessage() + ")");
        }
        return base;
    }

    /** Returns the parent run's params: the options every trial shares. */
    private static Map<String, String> fixedParams(SweepSpec s) {
        Map<String, String> params = new LinkedHashMap<>();
        s.fixed().forEach((o, v) -> params.put(o.key(), v));
        return params;
    }

    /** Returns the parent run's tags: the resolved spec, versions, host, search and the output folder. */
    private static Map<String, String> parentTags(SweepSpec s, Path dir) throws IOException {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("rnnsweep.out", dir.toAbsolutePath().normalize().toString());
        tags.put("rnnsweep.sweep", s.name());
        tags.put("rnnsweep.task", s.task().key());
        tags.put("rnnsweep.search", s.algorithm().key());
        tags.put("rnnsweep.objective", s.objective().toString());
        tags.put("rnnsweep.mode", s.execution().mode().key());
        tags.put("rnnsweep.spec", SpecWriter.toYaml(s));
        tags.put("rnnsweep.host", java.net.InetAddress.getLocalHost().getHostName());
        tags.putAll(Versions.tags());
        return tags;
    }
}
