package io.rnnsweep.execution;

import io.rnnsweep.schedule.Decision;
import io.rnnsweep.schedule.Scheduler;
import io.rnnsweep.schedule.StopReason;
import io.rnnsweep.search.Searcher;
import io.rnnsweep.search.Suggestion;
import io.rnnsweep.spec.CheckpointRetention;
import io.rnnsweep.spec.SchedulerSpec;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.Objective;
import io.rnnsweep.trial.TrialOption;
import io.rnnsweep.trial.TrialStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The sweep's one driver loop, for every scheduler: asks the searcher for trials while slots are free, hands each
 * to the trial executor (the whole trial in one job under FIFO; else one job per segment, ending where the
 * scheduler decides, with the trial waiting in its checkpoint between segments), tells the scheduler and the
 * searcher every result, and passes every event to the callbacks. A freed slot goes to the trial that should
 * continue, then to promoted trials, then to a new one. A paused trial is promoted (it resumes on whichever
 * executor is free) or stopped (it ends KILLED, saying which rung, value and bar stopped it).
 */
final class SweepLoop {
    /** Where a trial is in its life. */
    private enum Phase {
        /** Created, not started yet. */
        NEW,
        /** A segment (or, under FIFO, the whole trial) is running. */
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
        TrialTask task;
        final List<EpochResult> epochs = new ArrayList<>();
        /** Where its segments trained them. */
        final List<TrialOutcome.Placement> placements = new ArrayList<>();
        Phase phase = Phase.NEW;
        TrialOutcome last;
        double seconds;
        int rung;

        Trial(TrialTask task) {
            this.task = task;
        }
    }

    private final SweepSpec spec;
    private final Searcher searcher;
    private final TrialExecutor executor;
    private final int maxConcurrent;
    private final List<SweepCallback> callbacks;
    private final List<PriorTrial> prior;
    private final Deque<Integer> restart = new ArrayDeque<>();
    /** The kept trials of a resumed sweep that a scheduler had stopped at a rung, with why; never trained again. */
    private final Map<Integer, String> stoppedAtRung = new LinkedHashMap<>();
    /** How many of each earlier trial's segments the resume has still to replay, by trial index. */
    private final Map<Integer, Integer> replaysLeft = new LinkedHashMap<>();
    private final String checkpointDir;
    private final List<Trial> trials = new ArrayList<>();
    private final Scheduler scheduler;
    private final SchedulerSpec schedule;
    private final boolean segmented;
    /** Whether trials keep checkpoints: at rungs (segmented), every {@code checkpointEvery} epochs, or both. */
    private final boolean checkpointing;
    private final int checkpointEvery;
    private final Map<Phase, Integer> phases = new EnumMap<>(Phase.class);
    private final Map<TrialStatus, Integer> endings = new EnumMap<>(TrialStatus.class);
    private int sweepEpochs;
    private double best = Double.NaN;
    private boolean searchFinished;
    private boolean searchWaits;

    /**
     * Creates the loop.
     *
     * @param checkpointDir the folder (URI or path) where this sweep's trials keep their checkpoints; null for a
     *     sweep whose trials keep none (each runs in one job and restarts when resumed)
     */
    SweepLoop(SweepSpec spec, Searcher searcher, TrialExecutor executor, int maxConcurrent, String checkpointDir,
              List<SweepCallback> callbacks) {
        this(spec, searcher, executor, maxConcurrent, checkpointDir, callbacks, List.of());
    }

    /**
     * Creates the loop of a resumed sweep, which first takes up the trials of its earlier run: asks the searcher for
     * each again (it must propose the same options), replays the kept and continued ones into the scheduler and the
     * searcher as if they had just come back, and starts the restarted ones before any new trial.
     *
     * @throws IllegalArgumentException when the searcher proposes other options than a prior trial ran with
     */
    SweepLoop(SweepSpec spec, Searcher searcher, TrialExecutor executor, int maxConcurrent, String checkpointDir,
              List<SweepCallback> callbacks, List<PriorTrial> prior) {
        this.prior = List.copyOf(prior);
        this.spec = spec;
        this.searcher = searcher;
        this.executor = executor;
        this.maxConcurrent = maxConcurrent;
        this.callbacks = List.copyOf(callbacks);
        this.schedule = spec.scheduler();
        this.segmented = schedule.segmented();
        this.checkpointDir = checkpointDir == null || checkpointDir.endsWith("/") ? checkpointDir : checkpointDir + "/";
        this.checkpointEvery = spec.execution().checkpointEvery();
        this.checkpointing = checkpointDir != null && (segmented || checkpointEvery > 0);
        this.scheduler = schedule.create(spec.objective().mode(), spec.plannedTrials());
    }

    /** Returns a trial's checkpoint location. */
    String checkpoint(int index) {
        return SweepController.checkpoint(checkpointDir, index);
    }

    /** Runs trials until the searcher and the scheduler have nothing left, and returns the sweep's result. */
    SweepResult run() throws InterruptedException {
        long t0 = System.nanoTime();
        JvmUsage jvmAtStart = JvmUsage.now();
        Deque<Integer> ready = new ArrayDeque<>();
        int running = 0;
        takeUp(ready);
        ExecutorService pool = trialPool(maxConcurrent);
        try {
            CompletionService<TrialOutcome> done = new ExecutorCompletionService<>(pool);
            while (true) {
                while (running < maxConcurrent && !executor.cancelled()) {
                    Integer next = ready.poll();
                    if (next == null) {
                        next = restart.poll();
                    }
                    if (next == null) {
                        next = newTrial();
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
                        if (searchWaits && !executor.cancelled()) {
                            throw new IllegalStateException("the searcher waits for results with no trial running");
                        }
                        break;
                    }
                    for (int p : more) {
                        queue(ready, p, false);
                    }
                    continue;
                }
                TrialOutcome o = next(done);
                running--;
                handle(o, ready);
                report(trials.get(o.index()), running, (System.nanoTime() - t0) / 1e9);
            }
        } finally {
            pool.shutdownNow();
        }
        if (executor.cancelled()) {
            // The trials the searcher still had planned are recorded as never started.
            while (newTrial() != null) {
                // each one is created in phase NEW and ended below
            }
        }
        // Whatever still waits will never be promoted (or the sweep was cancelled): it ends here.
        for (Trial t : trials) {
            if (t.phase == Phase.NEW) {
                t.last = TrialOutcome.without(t.task.index(), TrialStatus.KILLED,
                        "sweep cancelled before the trial started");
                phase(t, Phase.ENDED);
                ended(t, Map.of());
            } else if (t.phase == Phase.PAUSED || t.phase == Phase.QUEUED) {
                stop(t, executor.cancelled() ? Optional.empty() : scheduler.reason(t.task.index()),
                        executor.cancelled() ? "sweep cancelled while the trial waited at epoch " + t.epochs.size()
                                : "never promoted from its rung at epoch " + t.epochs.size());
            }
        }
        if (checkpointing && !executor.cancelled()) {
            // Every trial ended and dropped the checkpoints it no longer needs: an empty folder is not left behind.
            try {
                executor.checkpoints().removeIfEmpty(checkpointDir);
            } catch (IOException | RuntimeException e) {
                System.err.printf("[%s] could not remove the empty checkpoint folder %s: %s%n", spec.name(),
                        checkpointDir, e);
            }
        }
        List<TrialOutcome> outcomes = new ArrayList<>();
        Map<Integer, Integer> rungs = new LinkedHashMap<>();
        for (Trial t : trials) {
            outcomes.add(t.last);
            if (segmented) {
                rungs.put(t.task.index(), t.rung);
            }
        }
        SweepResult result = new SweepResult(spec, trials.stream().map(t -> t.task).toList(), outcomes,
                (System.nanoTime() - t0) / 1e9, rungs, JvmUsage.now().since(jvmAtStart));
        boolean cancelled = executor.cancelled();
        for (SweepCallback c : callbacks) {
            result = c.sweepCompleting(result, cancelled);
        }
        for (SweepCallback c : callbacks) {
            c.sweepEnded(result, cancelled);
        }
        return result;
    }

    /**
     * Takes up the trials of the sweep's earlier run: each is created from the searcher's suggestion again, in
     * index order; a restarted one (or one the earlier run never started) waits to start before any new trial.
     * The kept and continued ones' results are then told to the scheduler and the searcher in the order the
     * earlier run got them, segment by segment (each ending where the scheduler ends a segment), so an
     * order-dependent scheduler such as ASHA stands where it stood; the last segment carries the trial's status.
     * A segment that comes for a trial still waiting at its rung was started by the scheduler as the sweep drained
     * (nothing running), as it is here. A continued trial whose checkpoint lies between two rungs was running its
     * segment: it goes on first, from that checkpoint to the segment's end. A trial the scheduler stopped at a rung
     * waits there again until the scheduler stops it again.
     */
    private void takeUp(Deque<Integer> ready) {
        Map<Integer, PriorTrial> byIndex = new LinkedHashMap<>();
        prior.forEach(p -> byIndex.put(p.index(), p));
        int last = prior.stream().mapToInt(PriorTrial::index).max().orElse(-1);
        /* One segment of an earlier trial; partial: the segment it was running when the driver died. */
        record Replay(long time, int index, TrialOutcome segment, boolean last, boolean partial) {
        }
        List<Replay> replays = new ArrayList<>();
        for (int i = 0; i <= last; i++) {
            PriorTrial earlier = byIndex.get(i);
            Integer index = newTrial(earlier == null ? null : chosen(earlier.options()));
            if (index == null) {
                throw new IllegalArgumentException("the searcher proposes " + i + " trials, the earlier run had "
                        + (last + 1));
            }
            PriorTrial p = byIndex.get(index);
            Trial t = trials.get(index);
            if (p != null && !p.options().equals(t.task.options())) {
                throw new IllegalArgumentException(t.task.id() + ": the spec proposes " + t.task.options()
                        + ", the earlier run trained " + p.options());
            }
            if (p == null || p.outcome() == null) {
                restart.add(index);
                continue;
            }
            boolean stoppedHere = segmented && p.stoppedAtRung();
            if (stoppedHere) {
                stoppedAtRung.put(index, p.outcome().cause());
            }
            List<EpochResult> epochs = p.outcome().epochs();
            int from = 0;
            do {
                int end = segmented ? scheduler.segmentEnd(index, from, schedule.maxEpochs()) : epochs.size();
                int until = Math.min(epochs.size(), end);
                boolean lastSegment = until >= epochs.size();
                boolean partial = lastSegment && until < end && p.outcome().status() == TrialStatus.PAUSED;
                TrialOutcome o = p.outcome().wholeTrial(epochs.subList(from, until), 0);
                replays.add(new Replay(until == 0 ? Long.MIN_VALUE : p.epochTimes().get(until - 1), index,
                        lastSegment && !stoppedHere ? o : new TrialOutcome(index, TrialStatus.PAUSED, o.epochs(),
                                List.of(), "", o.host(), o.pid(), 0, o.gpu(), o.blas()), lastSegment, partial));
                from = until;
            } while (from < epochs.size());
        }
        replays.sort(java.util.Comparator.comparingLong(Replay::time).thenComparingInt(Replay::index));
        replays.forEach(r -> replaysLeft.merge(r.index(), 1, Integer::sum));
        List<Integer> running = new ArrayList<>();
        for (Replay r : replays) {
            Trial t = trials.get(r.index());
            replaysLeft.merge(r.index(), -1, Integer::sum);
            if (t.phase == Phase.PAUSED) {
                // It went on from its rung with no result promoting it: the scheduler did as the sweep drained.
                for (int p : scheduler.drained()) {
                    queue(ready, p, false);
                }
            }
            // A trial queued by an earlier replayed segment had left the queue for a slot when this one came.
            if (ready.remove((Integer) r.index()) || t.phase == Phase.NEW) {
                phase(t, Phase.RUNNING);
            }
            if (r.partial()) {
                trainedOn(t, r.segment());
                running.add(r.index());
                continue;
            }
            // Only a trial's last segment is news to the callbacks: its run already holds the earlier pauses.
            handle(r.segment(), ready, r.last() && !stoppedAtRung.containsKey(r.index()));
            if (r.last() && r.segment().status() == TrialStatus.KILLED && segmented) {
                t.rung = t.epochs.size(); // a scheduler stopped it where it waited: at that rung
            }
        }
        // What was running when the driver died goes on first, as it held its slot before anything queued.
        for (int i = running.size() - 1; i >= 0; i--) {
            Trial t = trials.get(running.get(i));
            phase(t, Phase.QUEUED);
            ready.addFirst(running.get(i));
        }
    }

    /**
     * Takes the epochs a trial trained within a segment before the driver died: the scheduler and the searcher
     * hear them (no rung among them: no decision); the trial continues its segment from there.
     */
    private void trainedOn(Trial t, TrialOutcome partial) {
        t.epochs.addAll(partial.epochs());
        t.placements.addAll(partial.placements());
        t.last = partial;
        sweepEpochs += partial.epochs().size();
        Objective objective = spec.objective();
        for (EpochResult e : partial.epochs()) {
            if (objective.mode().better(objective.of(e), best)) {
                best = objective.of(e);
            }
            searcher.onTrialResult(t.task.index(), e.epoch(), objective.of(e));
            scheduler.onResult(t.task.index(), e.epoch(), objective.of(e));
        }
    }

    /**
     * Asks the searcher for the next trial and creates it; returns its index, or null when the searcher has
     * nothing now (it waits for results) or ever again.
     */
    private Integer newTrial() {
        return newTrial(null);
    }

    /**
     * Creates the next trial as {@link #newTrial()} does; when {@code ran} is given, it is the trial of the earlier
     * run of a resumed sweep, which ran with those values, and the searcher takes it up ({@link Searcher#resume}).
     */
    private Integer newTrial(Map<TrialOption, String> ran) {
        if (searchFinished) {
            return null;
        }
        int index = trials.size();
        Suggestion s = ran == null ? searcher.suggest(index) : searcher.resume(index, ran);
        searchWaits = s.kind() == Suggestion.Kind.WAIT;
        if (s.kind() != Suggestion.Kind.TRIAL) {
            searchFinished = s.kind() == Suggestion.Kind.FINISHED;
            return null;
        }
        TrialTask task = task(spec, index, s);
        for (SweepCallback c : callbacks) {
            task = c.trialCreated(task);
        }
        Trial t = new Trial(task);
        trials.add(t);
        phases.merge(Phase.NEW, 1, Integer::sum);
        return index;
    }

    /** Returns the swept values among a trial's options (user-facing names), by option. */
    private Map<TrialOption, String> chosen(Map<String, String> options) {
        Map<TrialOption, String> out = new LinkedHashMap<>();
        for (TrialOption o : spec.space().keySet()) {
            String v = options.get(o.key());
            if (v != null) {
                out.put(o, v);
            }
        }
        return out;
    }

    /**
     * Returns the task of trial {@code index}: the task's defaults under the spec's fixed options under the
     * suggestion's values (the spec was validated against its every value).
     */
    static TrialTask task(SweepSpec spec, int index, Suggestion s) {
        Map<String, String> options = new LinkedHashMap<>();
        spec.fixed().forEach((o, v) -> options.put(o.key(), v));
        s.chosen().forEach((o, v) -> options.put(o.key(), v));
        long timeout = spec.execution().timeout().map(Duration::toMillis).orElse(0L);
        return new TrialTask(spec.name(), index, spec.trialConfig(s.chosen()), options, timeout)
                .diverging(spec.divergence());
    }

    private void submit(CompletionService<TrialOutcome> done, Trial t) {
        TrialTask job = t.task;
        int from = t.epochs.size();
        if (segmented) {
            int until = scheduler.segmentEnd(t.task.index(), from, schedule.maxEpochs());
            job = job.segment(new Segment(from, until, checkpoint(t.task.index()),
                    schedule.keep() != CheckpointRetention.NONE, checkpointEvery, false));
        } else if (checkpointing) {
            // The whole trial in one job, storing its checkpoint on the way (from a resumed sweep's checkpoint).
            job = job.segment(new Segment(from, t.task.config().epochs(),
                    checkpoint(t.task.index()), false, checkpointEvery, true));
        }
        phase(t, Phase.RUNNING);
        for (SweepCallback c : callbacks) {
            c.trialStarted(t.task, from);
        }
        TrialTask run = job;
        done.submit(() -> executor.run(run));
    }

    /** Moves a trial to another phase, keeping the sweep's counts of trials per phase. */
    private void phase(Trial t, Phase next) {
        phases.merge(t.phase, -1, Integer::sum);
        phases.merge(next, 1, Integer::sum);
        t.phase = next;
    }

    private void queue(Deque<Integer> ready, int index, boolean first) {
        Trial t = trials.get(index);
        if (t.phase != Phase.PAUSED) {
            return;
        }
        if (stoppedAtRung.containsKey(index) && replaysLeft.getOrDefault(index, 0) == 0) {
            // The earlier run's scheduler stopped it here: it ends as it ended, never trained again. (Promoted from
            // an earlier rung while its later segments are still being replayed, it goes on to them first.)
            stop(t, Optional.empty(), stoppedAtRung.get(index));
            return;
        }
        phase(t, Phase.QUEUED);
        if (first) {
            ready.addFirst(index);
        } else {
            ready.addLast(index);
        }
    }

    /** Takes a segment's outcome: feeds its epochs to scheduler and searcher and acts on the decisions. */
    private void handle(TrialOutcome o, Deque<Integer> ready) {
        handle(o, ready, true);
    }

    /** Takes a segment's outcome, telling the callbacks of a pause only when {@code notify} is set. */
    private void handle(TrialOutcome o, Deque<Integer> ready, boolean notify) {
        Trial t = trials.get(o.index());
        t.epochs.addAll(o.epochs());
        t.placements.addAll(o.placements());
        t.seconds += o.seconds();
        t.last = o;
        sweepEpochs += o.epochs().size();
        Objective objective = spec.objective();
        Decision decision = Decision.CONTINUE;
        for (EpochResult e : o.epochs()) {
            if (objective.mode().better(objective.of(e), best)) {
                best = objective.of(e);
            }
            searcher.onTrialResult(o.index(), e.epoch(), objective.of(e));
            if (decision == Decision.CONTINUE) {
                decision = scheduler.onResult(o.index(), e.epoch(), objective.of(e));
            }
        }
        if (o.status() == TrialStatus.PAUSED) {
            t.rung = t.epochs.size();
            switch (decision) {
                case CONTINUE -> {
                    phase(t, Phase.PAUSED);
                    queue(ready, o.index(), true);
                }
                case PAUSE -> phase(t, Phase.PAUSED);
                case STOP -> stop(t, scheduler.reason(o.index()), "stopped by " + schedule.algorithm().key());
            }
            if (t.phase != Phase.ENDED && notify) {
                for (SweepCallback c : callbacks) {
                    c.trialPaused(t.task, t.rung, t.phase == Phase.QUEUED, o);
                }
            }
        } else {
            if (o.status() == TrialStatus.FINISHED) {
                t.rung = t.epochs.size();
            }
            scheduler.onEnd(o.index());
            phase(t, Phase.ENDED);
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

    /** Ends a paused trial KILLED, with why. */
    private void stop(Trial t, Optional<StopReason> reason, String fallback) {
        String why = reason.map(StopReason::describe).orElse(fallback);
        t.last = t.last == null ? TrialOutcome.without(t.task.index(), TrialStatus.KILLED, why) : t.last.killed(why);
        phase(t, Phase.ENDED);
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("rnnsweep.stopped_by", reason.map(StopReason::rule).orElse(schedule.algorithm().key()));
        tags.put("rnnsweep.stop_rung", Integer.toString(reason.map(StopReason::rung).orElse(t.epochs.size())));
        reason.ifPresent(r -> {
            tags.put("rnnsweep.stop_value", Double.toString(r.value()));
            tags.put("rnnsweep.stop_threshold", Double.isNaN(r.threshold()) ? "none" : Double.toString(r.threshold()));
        });
        ended(t, tags);
    }

    /**
     * Records a trial's end: the whole trial's outcome, the searcher told, its checkpoint's fate, the callbacks
     * told.
     */
    private void ended(Trial t, Map<String, String> tags) {
        TrialOutcome o = t.last.wholeTrial(List.copyOf(t.epochs), t.seconds, List.copyOf(t.placements));
        t.last = o;
        Objective objective = spec.objective();
        double trialBest = Double.NaN;
        for (EpochResult e : t.epochs) {
            if (objective.mode().better(objective.of(e), trialBest)) {
                trialBest = objective.of(e);
            }
        }
        searcher.onTrialComplete(t.task.index(), o.status(), trialBest);
        endings.merge(o.status(), 1, Integer::sum);
        Map<String, String> endTags = new LinkedHashMap<>(tags);
        if (segmented && o.status() == TrialStatus.FINISHED) {
            endTags.put("rnnsweep.rung", Integer.toString(t.epochs.size())); // where it ended, not its last pause
        }
        // The callbacks first (its run ends), then its checkpoints go: a driver dying in between leaves a
        // checkpoint nobody needs, never an unfinished run without the checkpoint a resume continues it from.
        for (SweepCallback c : callbacks) {
            c.trialEnded(t.task, o, endTags);
        }
        if (checkpointing && !t.epochs.isEmpty() && !(executor.cancelled() && o.status() == TrialStatus.KILLED)) {
            // Checkpoints stored on the way only serve a resume (a cancelled trial keeps them for one); a
            // scheduler's rung checkpoint is kept as asked.
            boolean keep = segmented && (schedule.keep() == CheckpointRetention.ALL
                    || (schedule.keep() == CheckpointRetention.FINISHED && o.status() == TrialStatus.FINISHED));
            List<String> drop = new ArrayList<>();
            if (!keep) {
                drop.add(checkpoint(t.task.index()));
            }
            if (checkpointEvery > 0) {
                drop.add(Segment.latest(checkpoint(t.task.index())));
            }
            for (String uri : drop) {
                try {
                    executor.checkpoints().delete(uri);
                } catch (IOException | RuntimeException e) {
                    System.err.printf("[%s] %s: could not delete its checkpoint %s: %s%n", spec.name(), t.task.id(),
                            uri, e);
                }
            }
        }
    }

    private void report(Trial t, int running, double elapsed) {
        Objective objective = spec.objective();
        double value = t.epochs.isEmpty() ? Double.NaN : objective.of(t.epochs.get(t.epochs.size() - 1));
        String state = switch (t.phase) {
            case QUEUED -> "promoted";
            case PAUSED -> "paused";
            case ENDED -> t.last.status() == TrialStatus.KILLED && segmented ? "stopped"
                    : t.last.status().name().toLowerCase(Locale.ROOT);
            default -> t.phase.name().toLowerCase(Locale.ROOT);
        };
        int finished = endings.getOrDefault(TrialStatus.FINISHED, 0);
        int stopped = endings.getOrDefault(TrialStatus.KILLED, 0);
        int ended = phases.getOrDefault(Phase.ENDED, 0);
        int total = Math.max(spec.plannedTrials(), trials.size());
        SweepProgress p = new SweepProgress(t.task.id().substring(t.task.id().lastIndexOf('/') + 1), t.epochs.size(),
                value, state, trials.size() - phases.getOrDefault(Phase.NEW, 0), total, running,
                phases.getOrDefault(Phase.PAUSED, 0) + phases.getOrDefault(Phase.QUEUED, 0), stopped, finished,
                ended - finished - stopped, ended, sweepEpochs, best, elapsed);
        for (SweepCallback c : callbacks) {
            c.progress(p);
        }
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
}
