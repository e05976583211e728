package io.rnnsweep.execution;

import io.rnnsweep.schedule.Decision;
import io.rnnsweep.schedule.Scheduler;
import io.rnnsweep.schedule.StopReason;
import io.rnnsweep.spec.CheckpointRetention;
import io.rnnsweep.spec.SchedulerSpec;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.task.LossKind;
import io.rnnsweep.task.Tasks;
import io.rnnsweep.tracking.SweepRun;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.Objective;
import io.rnnsweep.trial.TrialStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;

/**
 * Runs a sweep under an early-stopping scheduler: each trial trains in segments, one trial executor job each,
 * ending where the scheduler decides; a paused trial waits in its checkpoint until it is promoted (then it
 * resumes on whichever executor is free) or stopped (it ends KILLED, saying which rung, value and bar stopped
 * it). A freed slot goes to the trial that should continue, then to promoted trials, then to new ones.
 */
final class ScheduledSweep {
    /** Where a trial is in its life. */
    private enum Phase {
        /** Not started yet. */
        NEW,
        /** A segment is running. */
        RUNNING,
        /** Waiting at a rung in its checkpoint. */
        PAUSED,
        /** Promoted or continuing: waiting for a free slot. */
        QUEUED,
        /** Finished, stopped, diverged, failed or killed. */
        ENDED
    }

    /** One trial's state on the driver. */
    private static final class Trial {
        final TrialTask task;
        final List<EpochResult> epochs = new ArrayList<>();
        Phase phase = Phase.NEW;
        TrialOutcome last;
        double seconds;
        int rung;

        Trial(TrialTask task) {
            this.task = task;
        }
    }

    private final SweepSpec spec;
    private final TrialExecutor executor;
    private final int maxConcurrent;
    private final PrintWriter progress;
    private final SweepRun tracking;
    private final String checkpointDir;
    private final List<Trial> trials = new ArrayList<>();
    private final Scheduler scheduler;
    private final SchedulerSpec schedule;
    private final boolean perplexity;

    /**
     * Creates the run.
     *
     * @param checkpointDir the folder (URI or path) where this sweep's trials keep their checkpoints
     */
    ScheduledSweep(SweepSpec spec, List<TrialTask> tasks, TrialExecutor executor, int maxConcurrent,
                   PrintWriter progress, SweepRun tracking, String checkpointDir) {
        this.spec = spec;
        this.executor = executor;
        this.maxConcurrent = maxConcurrent;
        this.progress = progress;
        this.tracking = tracking;
        this.checkpointDir = checkpointDir.endsWith("/") ? checkpointDir : checkpointDir + "/";
        tasks.forEach(t -> trials.add(new Trial(t)));
        this.schedule = spec.scheduler();
        this.scheduler = schedule.create(spec.objective().mode(), tasks.size());
        this.perplexity = Tasks.get(spec.task()).loss() == LossKind.CROSS_ENTROPY;
    }

    /** Returns a trial's checkpoint location. */
    String checkpoint(int index) {
        return checkpointDir + String.format("trial-%03d.zip", index);
    }

    /** Runs every trial to its end under the scheduler and returns the sweep's result. */
    SweepResult run() throws InterruptedException {
        long t0 = System.nanoTime();
        Deque<Integer> ready = new ArrayDeque<>();
        int nextNew = 0;
        int running = 0;
        ExecutorService pool = SweepController.trialPool(maxConcurrent);
        try {
            CompletionService<TrialOutcome> done = new ExecutorCompletionService<>(pool);
            while (true) {
                while (running < maxConcurrent && !executor.cancelled()) {
                    Integer next = ready.poll();
                    if (next == null && nextNew < trials.size()) {
                        next = nextNew++;
                    }
                    if (next == null) {
                        break;
                    }
                    submit(done, trials.get(next));
                    running++;
                }
                if (running == 0) {
                    List<Integer> more = executor.cancelled() ? List.of() : scheduler.drained();
                    if (more.isEmpty()) {
                        break;
                    }
                    for (int p : more) {
                        queue(ready, p, false);
                    }
                    continue;
                }
                TrialOutcome o = SweepController.next(done);
                running--;
                handle(o, ready);
                report(trials.get(o.index()), running, (System.nanoTime() - t0) / 1e9);
            }
        } finally {
            pool.shutdownNow();
        }
        // Whatever still waits will never be promoted (or the sweep was cancelled): it ends here.
        for (Trial t : trials) {
            if (t.phase == Phase.NEW) {
                t.last = TrialOutcome.without(t.task.index(), TrialStatus.KILLED, "sweep cancelled before the trial started");
                t.phase = Phase.ENDED;
                ended(t, Map.of());
            } else if (t.phase == Phase.PAUSED || t.phase == Phase.QUEUED) {
                stop(t, executor.cancelled() ? Optional.empty() : scheduler.reason(t.task.index()),
                        executor.cancelled() ? "sweep cancelled while the trial waited at epoch " + t.epochs.size()
                                : "never promoted from its rung at epoch " + t.epochs.size());
            }
        }
        List<TrialOutcome> outcomes = new ArrayList<>();
        Map<Integer, Integer> rungs = new LinkedHashMap<>();
        for (Trial t : trials) {
            outcomes.add(t.last);
            rungs.put(t.task.index(), t.rung);
        }
        return new SweepResult(spec, trials.stream().map(t -> t.task).toList(), outcomes, (System.nanoTime() - t0) / 1e9,
                rungs);
    }

    private void submit(CompletionService<TrialOutcome> done, Trial t) {
        int from = t.epochs.size();
        int until = scheduler.segmentEnd(t.task.index(), from, schedule.maxEpochs());
        Segment segment = new Segment(from, until, checkpoint(t.task.index()), schedule.keep() != CheckpointRetention.NONE);
        TrialTask job = t.task.segment(segment);
        t.phase = Phase.RUNNING;
        done.submit(() -> executor.run(job));
    }

    private void queue(Deque<Integer> ready, int index, boolean first) {
        Trial t = trials.get(index);
        if (t.phase != Phase.PAUSED) {
            return;
        }
        t.phase = Phase.QUEUED;
        if (first) {
            ready.addFirst(index);
        } else {
            ready.addLast(index);
        }
    }

    /** Takes a segment's outcome: feeds its epochs to the scheduler and acts on the decisions. */
    private void handle(TrialOutcome o, Deque<Integer> ready) {
        Trial t = trials.get(o.index());
        t.epochs.addAll(o.epochs());
        t.seconds += o.seconds();
        t.last = o;
        Objective objective = spec.objective();
        Decision decision = Decision.CONTINUE;
        for (EpochResult e : o.epochs()) {
            decision = scheduler.onResult(o.index(), e.epoch(), objective.of(e));
            if (decision != Decision.CONTINUE) {
                break;
            }
        }
        if (o.status() == TrialStatus.PAUSED) {
            t.rung = t.epochs.size();
            switch (decision) {
                case CONTINUE -> {
                    t.phase = Phase.PAUSED;
                    queue(ready, o.index(), true);
                }
                case PAUSE -> t.phase = Phase.PAUSED;
                case STOP -> stop(t, scheduler.reason(o.index()), "stopped by " + schedule.algorithm().key());
            }
            if (t.phase != Phase.ENDED && tracking != null) {
                tracking.trialPaused(t.task.tracking(), Map.of("rnnsweep.rung", Integer.toString(t.rung),
                        "rnnsweep.status", t.phase == Phase.QUEUED ? "PROMOTED" : "PAUSED"), o.unsentTracking());
            }
        } else {
            if (o.status() == TrialStatus.FINISHED) {
                t.rung = t.epochs.size();
            }
            scheduler.onEnd(o.index());
            t.phase = Phase.ENDED;
            ended(t, Map.of());
        }
        for (int p : scheduler.promotions()) {
            queue(ready, p, false);
        }
        for (int s : scheduler.stopped()) {
            Trial st = trials.get(s);
            if (st.phase == Phase.PAUSED || st.phase == Phase.QUEUED) {
                ready.remove((Integer) s);
                stop(st, scheduler.reason(s), "stopped by " + schedule.algorithm().key());
            }
        }
    }

    /** Ends a paused trial KILLED, with why, and removes its checkpoint unless every checkpoint is kept. */
    private void stop(Trial t, Optional<StopReason> reason, String fallback) {
        String why = reason.map(StopReason::describe).orElse(fallback);
        t.last = t.last == null ? TrialOutcome.without(t.task.index(), TrialStatus.KILLED, why) : t.last.killed(why);
        t.phase = Phase.ENDED;
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("rnnsweep.stopped_by", reason.map(StopReason::rule).orElse(schedule.algorithm().key()));
        tags.put("rnnsweep.stop_rung", Integer.toString(reason.map(StopReason::rung).orElse(t.epochs.size())));
        reason.ifPresent(r -> {
            tags.put("rnnsweep.stop_value", Double.toString(r.value()));
            tags.put("rnnsweep.stop_threshold", Double.isNaN(r.threshold()) ? "none" : Double.toString(r.threshold()));
        });
        ended(t, tags);
    }

    /** Records a trial's end: the whole trial's outcome, its run's end, its checkpoint's fate. */
    private void ended(Trial t, Map<String, String> tags) {
        TrialOutcome o = t.last.wholeTrial(List.copyOf(t.epochs), t.seconds);
        t.last = o;
        boolean keep = schedule.keep() == CheckpointRetention.ALL
                || (schedule.keep() == CheckpointRetention.FINISHED && o.status() == TrialStatus.FINISHED);
        if (!keep && !t.epochs.isEmpty()) {
            try {
                executor.checkpoints().delete(checkpoint(t.task.index()));
            } catch (IOException | RuntimeException e) {
                progress.printf("[%s] %s: could not delete its checkpoint %s: %s%n", spec.name(), t.task.id(),
                        checkpoint(t.task.index()), e);
            }
        }
        if (tracking != null) {
            tracking.trialEnded(t.task.tracking(), o.status(), o.cause(), o.epochs(), o.report(), perplexity,
                    TrialRunner.where(o.host(), o.pid(), o.gpu(), o.blas()), o.unsentTracking(), tags);
        }
    }

    private void report(Trial t, int running, double elapsed) {
        Objective objective = spec.objective();
        Map<Phase, Integer> phases = new java.util.EnumMap<>(Phase.class);
        int stopped = 0;
        int finished = 0;
        int failed = 0;
        int epochs = 0;
        double best = Double.NaN;
        for (Trial x : trials) {
            phases.merge(x.phase, 1, Integer::sum);
            epochs += x.epochs.size();
            if (x.phase == Phase.ENDED) {
                switch (x.last.status()) {
                    case FINISHED -> finished++;
                    case KILLED -> stopped++;
                    default -> failed++;
                }
            }
            for (EpochResult e : x.epochs) {
                if (objective.mode().better(objective.of(e), best)) {
                    best = objective.of(e);
                }
            }
        }
        double value = t.epochs.isEmpty() ? Double.NaN : objective.of(t.epochs.get(t.epochs.size() - 1));
        String state = switch (t.phase) {
            case QUEUED -> "promoted";
            case PAUSED -> "paused";
            case ENDED -> t.last.status() == TrialStatus.KILLED ? "stopped" : t.last.status().name().toLowerCase(Locale.ROOT);
            default -> t.phase.name().toLowerCase(Locale.ROOT);
        };
        int started = trials.size() - phases.getOrDefault(Phase.NEW, 0);
        progress.printf(Locale.ROOT, "[%s] %s rung %d: %s %s -> %s | %d/%d started, %d running, %d paused, %d stopped,"
                        + " %d finished, %d failed | %d epochs | best %s %s | elapsed %s%n",
                spec.name(), t.task.id().substring(t.task.id().lastIndexOf('/') + 1), t.epochs.size(),
                objective.metric(), fmt(value), state, started, trials.size(), running,
                phases.getOrDefault(Phase.PAUSED, 0) + phases.getOrDefault(Phase.QUEUED, 0), stopped, finished,
                failed, epochs, objective.metric(), fmt(best), SweepController.clock(elapsed));
        progress.flush();
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.5g", v);
    }
}
