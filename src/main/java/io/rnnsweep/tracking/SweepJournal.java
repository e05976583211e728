package io.rnnsweep.tracking;

import io.rnnsweep.execution.CheckpointStore;
import io.rnnsweep.execution.PriorTrial;
import io.rnnsweep.execution.Segment;
import io.rnnsweep.execution.SweepController;
import io.rnnsweep.execution.TrialOutcome;
import io.rnnsweep.execution.TrialTask;
import io.rnnsweep.search.TpeSearch;
import io.rnnsweep.spec.SpecException;
import io.rnnsweep.spec.SpecLoader;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.train.Checkpoint;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.InvalidOptionException;
import io.rnnsweep.trial.TrialOption;
import io.rnnsweep.trial.TrialStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The tracking store as a sweep's journal, read back when a sweep is resumed: checks that the stored sweep is the
 * spec's, decides what becomes of each stored trial (kept, continued from its latest checkpoint, restarted), and
 * reads back the epochs of a cancelled sweep's trials.
 */
public final class SweepJournal {
    private SweepJournal() {
    }

    /**
     * Returns every trial's epochs as the tracking store holds them: a cancelled trial's job brings none back, its
     * run holds every epoch it trained. Empty when the store cannot say (the output folder then has what came back).
     */
    public static Map<Integer, List<EpochResult>> storedEpochs(SweepRun tracking) {
        Map<Integer, List<EpochResult>> out = new LinkedHashMap<>();
        try {
            tracking.storedTrials().forEach(t -> out.put(t.index(), t.epochs()));
        } catch (RuntimeException e) {
            System.err.println("rnnsweep: the epochs of cancelled trials could not be read back: " + e.getMessage());
        }
        return out;
    }

    /**
     * Checks that the stored sweep a resume takes up is this spec's: the same task, space and objective.
     *
     * @throws InvalidOptionException naming {@code resume} when it is not
     */
    public static void checkSameSweep(SweepSpec s, Map<String, String> stored, String runId) {
        SweepSpec before;
        try {
            before = SpecLoader.parse("the stored sweep", stored.getOrDefault("rnnsweep.spec", ""));
        } catch (RuntimeException e) {
            throw new InvalidOptionException("resume", runId, "a sweep run whose stored spec reads back ("
                    + e.getMessage() + ")");
        }
        List<String> differ = new ArrayList<>();
        if (before.task() != s.task()) {
            differ.add("task " + before.task().key() + " (now " + s.task().key() + ")");
        }
        if (!before.space().equals(s.space())) {
            differ.add("space " + space(before) + " (now " + space(s) + ")");
        }
        if (!before.objective().equals(s.objective())) {
            differ.add("objective " + before.objective() + " (now " + s.objective() + ")");
        }
        if (!differ.isEmpty()) {
            throw new InvalidOptionException("resume", runId, "a sweep of this spec's task, space and objective; the"
                    + " stored one has " + String.join(", ", differ));
        }
    }

    private static String space(SweepSpec s) {
        return s.space().entrySet().stream().map(e -> e.getKey().key() + " " + e.getValue().describe())
                .collect(Collectors.joining("; "));
    }

    /**
     * Checks that the spec proposes the trials the stored sweep ran (the same search seed and fixed options).
     *
     * @throws InvalidOptionException naming {@code resume} when it does not
     */
    public static void checkSameTrials(SweepSpec s, List<TrialTask> tasks, List<PriorTrial> prior, String runId) {
        for (PriorTrial p : prior) {
            if (p.index() >= tasks.size() && s.algorithm().learns() && p.index() < s.trials()) {
                continue; // proposed from results: the resumed search adopts what ran
            }
            if (p.index() >= tasks.size() || !tasks.get(p.index()).options().equals(p.options())) {
                throw new InvalidOptionException("resume", runId, "a spec that proposes the trials the stored sweep"
                        + " ran: its trial " + p.index() + " ran " + p.options() + ", the spec now proposes "
                        + (p.index() < tasks.size() ? tasks.get(p.index()).options() : "no such trial")
                        + " (search seed, trials or fixed options changed?)");
            }
        }
    }

    /**
     * Returns what a resumed sweep takes up of each stored trial: kept as it ended, continued from its latest
     * checkpoint whose epochs the run holds (at a rung, or stored on the way between rungs), or restarted.
     *
     * @param tasks the trials the spec proposes, in order
     * @param store where the sweep's checkpoints are
     * @param checkpoints the sweep's checkpoint folder; null when its trials keep none
     */
    public static List<PriorTrial> prior(List<SweepRun.StoredTrial> stored, List<TrialTask> tasks,
                                         CheckpointStore store, String checkpoints) {
        List<PriorTrial> out = new ArrayList<>();
        for (SweepRun.StoredTrial t : stored) {
            if (t.index() < tasks.size() && t.epochs().isEmpty()
                    && !t.params().keySet().containsAll(tasks.get(t.index()).options().keySet())) {
                // Its run was created, its params not yet logged, when the driver died: it starts again.
                out.add(new PriorTrial(t.index(), tasks.get(t.index()).options(), null, List.of()));
                continue;
            }
            TrialOutcome outcome = null;
            List<Long> times = List.of();
            boolean stoppedAtRung = false;
            switch (t.status()) {
                case "FINISHED", "DIVERGED", "FAILED", "KILLED" -> {
                    outcome = new TrialOutcome(t.index(), TrialStatus.valueOf(t.status()), t.epochs(), List.of(),
                            t.cause(), "", -1, 0, "", "");
                    times = t.epochTimes();
                    stoppedAtRung = t.status().equals("KILLED") && t.rung() > 0 && t.rung() == t.epochs().size();
                }
                default -> {
                    int from = checkpoints == null ? 0 : continueFrom(store, checkpoints, t.index(), t.epochs().size());
                    if (from > 0) {
                        outcome = new TrialOutcome(t.index(), TrialStatus.PAUSED, t.epochs().subList(0, from),
                                List.of(), "", "", -1, 0, "", "");
                        times = t.epochTimes().subList(0, from);
                    }
                }
            }
            out.add(new PriorTrial(t.index(), t.params(), outcome, times, stoppedAtRung));
        }
        return out;
    }

    /**
     * Returns the epoch an unfinished trial continues from: the later of its two checkpoints (the one a segment
     * started from or paused at, and the one stored on the way) that holds no epoch its run lacks; 0 for none.
     * A later checkpoint stored on the way is put where the trial's next segment starts from.
     */
    private static int continueFrom(CheckpointStore store, String dir, int index, int logged) {
        String main = SweepController.checkpoint(dir, index);
        int best = 0;
        Path bestFile = null;
        List<Path> files = new ArrayList<>();
        try {
            for (String uri : List.of(main, Segment.latest(main))) {
                Path file = Files.createTempFile("rnnsweep-resume", ".zip");
                files.add(file);
                try {
                    store.download(uri, file);
                    int epoch = Checkpoint.epochOf(file);
                    if (epoch > best && epoch <= logged) {
                        best = epoch;
                        bestFile = uri.equals(main) ? null : file;
                    }
                } catch (IOException | IllegalArgumentException missingOrUnreadable) {
                    // No such checkpoint (or not one): the other one, or a restart.
                }
            }
            if (bestFile != null) {
                store.upload(bestFile, main);
            }
            return best;
        } catch (IOException e) {
            System.err.printf("rnnsweep: trial %d restarts: its checkpoint could not be put in place at %s: %s%n",
                    index, main, e.getMessage());
            return 0;
        } finally {
            for (Path f : files) {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }

    /**
     * Returns the observations a model-based search is warm-started with: every trial of each sweep the spec's
     * {@code search.warm_start} names (the newest of that name in the store) that reached an objective value (its
     * best) or diverged (infeasible), with values this spec's space holds.
     *
     * @param source the spec file, for messages
     * @throws SpecException naming {@code search.warm_start} when a sweep is not in the store or is another task's
     *     or objective's
     */
    public static List<TpeSearch.Observation> warmStart(SweepSpec s, String source, SweepRun.EarlierSweeps store) {
        List<TpeSearch.Observation> out = new ArrayList<>();
        for (String name : s.warmStart()) {
            SweepRun.ReadSweep earlier = store.find(name).orElseThrow(() -> new SpecException(source,
                    "search.warm_start", name, "the name of a sweep the tracking store holds"));
            Map<String, String> tags = earlier.parentTags();
            String task = tags.getOrDefault("rnnsweep.task", "");
            String objective = tags.getOrDefault("rnnsweep.objective", "");
            if (!task.equals(s.task().key()) || !objective.equals(s.objective().toString())) {
                throw new SpecException(source, "search.warm_start", name, "a sweep of task " + s.task().key()
                        + " and objective " + s.objective() + "; " + name + " is of task " + task + " and objective "
                        + objective);
            }
            for (SweepRun.StoredTrial t : earlier.trials()) {
                Map<TrialOption, String> chosen = new LinkedHashMap<>();
                s.space().forEach((o, d) -> {
                    String v = t.params().get(o.key());
                    if (v != null && d.contains(v)) {
                        chosen.put(o, v);
                    }
                });
                if (chosen.size() < s.space().size()) {
                    continue; // not a point of this space
                }
                if (t.status().equals("DIVERGED")) {
                    out.add(new TpeSearch.Observation(chosen, Double.NaN));
                    continue;
                }
                double best = Double.NaN;
                for (EpochResult e : t.epochs()) {
                    double v = s.objective().of(e);
                    if (s.objective().mode().better(v, best)) {
                        best = v;
                    }
                }
                if (!Double.isNaN(best)) {
                    out.add(new TpeSearch.Observation(chosen, best));
                }
            }
        }
        return out;
    }
}
