package io.rnnsweep.execution;

import io.rnnsweep.search.Searcher;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.task.LossKind;
import io.rnnsweep.task.Tasks;
import io.rnnsweep.tracking.SweepRun;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.Objective;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import io.rnnsweep.trial.TrialStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a sweep on the driver: every trial the searcher proposes goes to the trial executor from a pool of
 * at most {@code maxConcurrent} driver threads; a progress line follows each start and end.
 */
public final class SweepController {
    private final SweepSpec spec;
    private final TrialExecutor executor;
    private final int maxConcurrent;
    private final PrintWriter progress;
    private final SweepRun tracking;
    private final String checkpointDir;

    /**
     * Creates the controller.
     *
     * @param spec the validated sweep
     * @param executor where trials run
     * @param maxConcurrent trials in flight at once
     * @param progress where the progress lines go
     */
    public SweepController(SweepSpec spec, TrialExecutor executor, int maxConcurrent, PrintWriter progress) {
        this(spec, executor, maxConcurrent, progress, null);
    }

    /**
     * Creates the controller for a tracked sweep: each trial is logged as a child run of {@code tracking}'s
     * parent run, and the driver records each trial's end there.
     */
    public SweepController(SweepSpec spec, TrialExecutor executor, int maxConcurrent, PrintWriter progress,
                           SweepRun tracking) {
        this(spec, executor, maxConcurrent, progress, tracking, null);
    }

    /**
     * Creates the controller for a sweep (tracked in {@code tracking} unless it is null) whose scheduler may train
     * trials in segments, keeping their checkpoints under {@code checkpointDir} (a folder or Hadoop FileSystem
     * URI every executor can reach; null for a sweep without early stopping).
     */
    public SweepController(SweepSpec spec, TrialExecutor executor, int maxConcurrent, PrintWriter progress,
                           SweepRun tracking, String checkpointDir) {
        if (spec.scheduler().segmented() && checkpointDir == null) {
            throw new IllegalArgumentException("scheduler " + spec.scheduler().algorithm().key()
                    + " needs a checkpoint folder");
        }
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("max concurrency must be positive, got " + maxConcurrent);
        }
        this.spec = spec;
        this.executor = executor;
        this.maxConcurrent = maxConcurrent;
        this.progress = progress;
        this.tracking = tracking;
        this.checkpointDir = checkpointDir;
    }

    /** Returns the tasks of every trial the searcher proposes, in trial order. */
    public static List<TrialTask> tasks(SweepSpec spec) {
        Searcher searcher = spec.searcher();
        long timeout = spec.execution().timeout().map(Duration::toMillis).orElse(0L);
        List<TrialTask> out = new ArrayList<>();
        for (int i = 0; i < searcher.size(); i++) {
            Map<String, String> options = new LinkedHashMap<>();
            spec.fixed().forEach((o, v) -> options.put(o.key(), v));
            searcher.trial(i).forEach((o, v) -> options.put(o.key(), v));
            out.add(new TrialTask(spec.name(), i, spec.task().key(), options, timeout));
        }
        return out;
    }

    /** Runs every trial and returns the sweep's result; trials that fail do not stop the sweep. */
    public SweepResult run() throws InterruptedException {
        List<TrialTask> tasks = tasks(spec);
        if (tracking != null) {
            tasks = tasks.stream().map(t -> {
                TrialConfig config = config(spec, t);
                return t.tracked(tracking.trial(t.id(), config.runName(), t.options(), trialTags(t, config)));
            }).toList();
        }
        if (spec.scheduler().segmented()) {
            return new ScheduledSweep(spec, tasks, executor, maxConcurrent, progress, tracking, checkpointDir).run();
        }
        long t0 = System.nanoTime();
        TrialOutcome[] outcomes = new TrialOutcome[tasks.size()];
        AtomicInteger running = new AtomicInteger();
        ExecutorService pool = trialPool(maxConcurrent);
        try {
            CompletionService<TrialOutcome> done = new ExecutorCompletionService<>(pool);
            for (TrialTask task : tasks) {
                done.submit(() -> {
                    running.incrementAndGet();
                    try {
                        return executor.run(task);
                    } finally {
                        running.decrementAndGet();
                    }
                });
            }
            for (int finished = 1; finished <= tasks.size(); finished++) {
                TrialOutcome o = next(done);
                outcomes[o.index()] = o;
                if (tracking != null) {
                    TrialTask t = tasks.get(o.index());
                    tracking.trialEnded(t.tracking(), o.status(), o.cause(), o.epochs(), o.report(),
                            Tasks.get(spec.task()).loss() == LossKind.CROSS_ENTROPY,
                            TrialRunner.where(o.host(), o.pid(), o.gpu(), o.blas()), o.unsentTracking());
                }
                report(outcomes, finished, running.get(), (System.nanoTime() - t0) / 1e9);
            }
        } finally {
            pool.shutdownNow();
        }
        return new SweepResult(spec, tasks, List.of(outcomes), (System.nanoTime() - t0) / 1e9);
    }

    private void report(TrialOutcome[] outcomes, int finished, int running, double elapsed) {
        Objective objective = spec.objective();
        int failed = 0;
        double best = Double.NaN;
        for (TrialOutcome o : outcomes) {
            if (o == null) {
                continue;
            }
            if (o.status() == TrialStatus.FAILED || o.status() == TrialStatus.DIVERGED) {
                failed++;
            }
            for (EpochResult e : o.epochs()) {
                if (objective.mode().better(objective.of(e), best)) {
                    best = objective.of(e);
                }
            }
        }
        int total = outcomes.length;
        double eta = elapsed / finished * (total - finished);
        progress.printf(Locale.ROOT, "[%s] %d/%d done, %d running, %d failed | best %s %s | elapsed %s, ETA %s%n",
                spec.name(), finished, total, running, failed, objective.metric(),
                Double.isNaN(best) ? "-" : String.format(Locale.ROOT, "%.5g", best), clock(elapsed), clock(eta));
        progress.flush();
    }

    /** Returns the driver's pool of trial threads: daemons, so a stuck trial does not hold the JVM. */
    static ExecutorService trialPool(int size) {
        return Executors.newFixedThreadPool(size, r -> {
            Thread t = new Thread(r, "rnnsweep-trial");
            t.setDaemon(true);
            return t;
        });
    }

    /** Takes the next outcome to come back; a trial executor reports failures, so an exception here is a bug. */
    static TrialOutcome next(CompletionService<TrialOutcome> done) throws InterruptedException {
        try {
            return done.take().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("trial executor threw instead of reporting", e.getCause());
        }
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }

    /** Returns a trial's readable run name, such as {@code timemachine-rnn-h512-l1-lr1-clip1}. */
    static String runName(SweepSpec spec, TrialTask t) {
        return config(spec, t).runName();
    }

    /** Returns a trial's resolved configuration (the task's defaults under the trial's options). */
    private static TrialConfig config(SweepSpec spec, TrialTask t) {
        Map<TrialOption, String> options = new java.util.EnumMap<>(TrialOption.class);
        t.options().forEach((k, v) -> options.put(TrialOption.byKey(k).orElseThrow(), v));
        return Tasks.resolve(spec.task(), options);
    }

    private Map<String, String> trialTags(TrialTask t, TrialConfig config) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("rnnsweep.sweep", spec.name());
        tags.put("rnnsweep.task", spec.task().key());
        tags.put("rnnsweep.seed", Long.toString(config.seed()));
        tags.put("rnnsweep.trial_index", Integer.toString(t.index()));
        return tags;
    }

    /** Returns the chosen values of a trial for display, in the space's order. */
    static Map<String, String> chosen(SweepSpec spec, TrialTask task) {
        Map<String, String> out = new LinkedHashMap<>();
        for (TrialOption o : spec.space().keySet()) {
            out.put(o.key(), task.options().get(o.key()));
        }
        return out;
    }
}
