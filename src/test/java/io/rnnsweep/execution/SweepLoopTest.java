package io.rnnsweep.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.search.SearchAlgorithm;
import io.rnnsweep.search.Searcher;
import io.rnnsweep.search.Suggestion;
import io.rnnsweep.spec.SpecLoader;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.TrialOption;
import io.rnnsweep.trial.TrialStatus;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SweepLoopTest {
    /** Checkpoints of synthetic trials: nothing to store. */
    static final CheckpointStore NO_CHECKPOINTS = CheckpointStore.NONE;

    /**
     * A trial that answers like a real one without training: validation loss {@code a + c / epoch} with a and c
     * from its hidden size and learning rate (curves that cross, so rankings change between rungs); the trial
     * with hidden 4 and lr 0.1 diverges in epoch 2. Trains the task's segment, or every epoch without one.
     */
    static TrialOutcome synthetic(TrialTask task) {
        double hidden = Double.parseDouble(task.options().get("hidden"));
        double lr = Double.parseDouble(task.options().get("lr"));
        int epochs = Integer.parseInt(task.options().get("epochs"));
        double a = 0.1 * Math.abs(Math.log10(lr) + 1.5) + 1 / hidden;
        double c = 0.5 * hidden / 16 + 5 * lr;
        int from = task.segment() == null ? 0 : task.segment().from();
        int until = task.segment() == null ? epochs : task.segment().until();
        List<EpochResult> done = new ArrayList<>();
        for (int e = from + 1; e <= until; e++) {
            if (hidden == 4 && lr == 0.1 && e == 2) {
                return new TrialOutcome(task.index(), TrialStatus.DIVERGED, done, List.of(), "diverged in epoch 2",
                        "here", 1, 0.01, "", "");
            }
            double loss = a + c / e;
            done.add(new EpochResult(e, loss, Math.exp(loss), loss, Math.exp(loss), Map.of(), 0.5, 0.5, 0, 100,
                    1e4, 0.01));
        }
        TrialStatus status = until == epochs ? TrialStatus.FINISHED : TrialStatus.PAUSED;
        return new TrialOutcome(task.index(), status, done, List.of(), "", "here", 1, 0.01, "", "");
    }

    static SweepSpec spec(String search, String scheduler) {
        return SpecLoader.parse("loop.yaml", """
                name: loop
                task: hello
                objective: {metric: val_loss, mode: min}
                search: %s
                space:
                  hidden: [4, 8, 16]
                  lr: [0.003, 0.01, 0.05, 0.1]
                fixed: {epochs: 9}
                scheduler: %s
                """.formatted(search, scheduler));
    }

    /** Returns each trial's index, status, epochs trained, rung and cause, one line each. */
    static String decisions(SweepResult r) {
        return r.outcomes().stream().map(o -> o.index() + " " + o.status() + " " + o.epochs().size() + " "
                + r.rungs().getOrDefault(o.index(), 0) + " " + o.cause()).collect(Collectors.joining("\n"));
    }

    static final String[][] CASES = {
        {"{algorithm: grid}", "{algorithm: fifo}"},
        {"{algorithm: random, trials: 7, seed: 3}", "{algorithm: fifo}"},
        {"{algorithm: grid}", "{algorithm: asha, max_epochs: 9, grace_epochs: 1, reduction_factor: 3}"},
        {"{algorithm: random, trials: 9, seed: 5}", "{algorithm: asha, max_epochs: 9, grace_epochs: 1, reduction_factor: 3}"},
        {"{algorithm: grid}", "{algorithm: median, max_epochs: 9, grace_epochs: 2, min_samples: 3}"},
        {"{algorithm: grid}", "{algorithm: successive_halving, max_epochs: 9, grace_epochs: 1, reduction_factor: 3}"},
        {"{algorithm: grid}", "{algorithm: hyperband, max_epochs: 9, grace_epochs: 1, reduction_factor: 3}"},
    };

    /** Runs {@code spec}'s sweep through the one loop on the synthetic trials. */
    static SweepResult run(SweepSpec s, int concurrency, List<SweepCallback> callbacks) throws InterruptedException {
        try (InProcessExecutor ex = new InProcessExecutor(SweepLoopTest::synthetic, NO_CHECKPOINTS)) {
            return new SweepController(s, ex, concurrency, s.scheduler().segmented() ? "mem:/" : null, callbacks)
                    .run();
        }
    }

    /**
     * Random search as it drew before it refused to repeat a configuration: independent draws, one split stream
     * per trial. The decisions file was made with it, so the loop is compared on the same trials.
     */
    static Searcher independentDraws(SweepSpec s) {
        SplittableRandom root = new SplittableRandom(s.searchSeed());
        List<Map<TrialOption, String>> draws = new ArrayList<>();
        for (int i = 0; i < s.trials(); i++) {
            SplittableRandom r = root.split();
            Map<TrialOption, String> t = new LinkedHashMap<>();
            s.space().forEach((option, domain) -> t.put(option, domain.sample(r)));
            draws.add(t);
        }
        return index -> index < draws.size() ? Suggestion.trial(draws.get(index)) : Suggestion.FINISHED;
    }

    @Test
    void theOneLoopMakesTheDecisionsOfTheTwoLoopsItReplaced() throws Exception {
        String before;
        try (InputStream in = SweepLoopTest.class.getResourceAsStream("decisions-before-one-loop.txt")) {
            before = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = Pattern.compile("CASE (\\{[^}]*\\}) (\\{[^}]*\\})\n(.*?)\nEND", Pattern.DOTALL).matcher(before);
        int cases = 0;
        while (m.find()) {
            SweepSpec s = spec(m.group(1), m.group(2));
            Searcher searcher = s.algorithm() == SearchAlgorithm.RANDOM ? independentDraws(s) : s.searcher();
            SweepResult r;
            try (InProcessExecutor ex = new InProcessExecutor(SweepLoopTest::synthetic, NO_CHECKPOINTS)) {
                r = new SweepLoop(s, searcher, ex, 1, s.scheduler().segmented() ? "mem:/" : null, List.of()).run();
            }
            assertEquals(m.group(3), decisions(r), m.group(1) + " " + m.group(2));
            cases++;
        }
        assertEquals(CASES.length, cases, "grid and random under fifo, asha, median, successive halving, hyperband");
    }

    @Test
    void twoSlotsEndEveryTrialOnceWithEveryEpochItTrained() throws Exception {
        for (String[] c : CASES) {
            SweepResult r = run(spec(c[0], c[1]), 2, List.of());
            SweepSpec s = spec(c[0], c[1]);
            assertEquals(s.plannedTrials(), r.outcomes().size(), c[1]);
            for (TrialOutcome o : r.outcomes()) {
                assertTrue(o.status().isTerminal(), o.toString());
                for (int e = 0; e < o.epochs().size(); e++) {
                    assertEquals(e + 1, o.epochs().get(e).epoch(), "epochs in order, each once: " + o);
                }
            }
        }
    }

    /** A searcher that proposes trial after trial but only once the one before it ended, and keeps what it is told. */
    static final class OneAtATime implements Searcher {
        final List<String> told = new ArrayList<>();
        int ended;

        @Override
        public Suggestion suggest(int index) {
            if (index == 3) {
                return Suggestion.FINISHED;
            }
            return index == ended ? Suggestion.trial(Map.of(TrialOption.HIDDEN, Integer.toString(4 << index),
                    TrialOption.LR, "0.01")) : Suggestion.WAIT;
        }

        @Override
        public void onTrialResult(int index, int epoch, double value) {
            told.add("result " + index + " " + epoch);
        }

        @Override
        public void onTrialComplete(int index, TrialStatus status, double best) {
            told.add("complete " + index + " " + status + " " + best);
            ended++;
        }
    }

    @Test
    void aSearcherThatWaitsGetsItsNextTrialOnlyAfterTheResultsItWaitsFor() throws Exception {
        SweepSpec s = spec("{algorithm: grid}", "{algorithm: fifo}");
        OneAtATime searcher = new OneAtATime();
        SweepResult r;
        try (InProcessExecutor ex = new InProcessExecutor(SweepLoopTest::synthetic, NO_CHECKPOINTS)) {
            r = new SweepLoop(s, searcher, ex, 3, null, List.of()).run();
        }
        assertEquals(3, r.outcomes().size());
        assertEquals(List.of("4", "8", "16"), r.tasks().stream().map(t -> t.options().get("hidden")).toList());
        // Each trial's nine epochs, then its end, before the next trial exists: three slots, one trial at a time.
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            for (int e = 1; e <= 9; e++) {
                expected.add("result " + i + " " + e);
            }
            double best = r.outcomes().get(i).epochs().get(8).validationLoss();
            expected.add("complete " + i + " FINISHED " + best);
        }
        assertEquals(expected, searcher.told);
    }

    @Test
    void aSearcherThatWaitsWithNothingRunningIsABug() {
        SweepSpec s = spec("{algorithm: grid}", "{algorithm: fifo}");
        Searcher stuck = index -> Suggestion.WAIT;
        try (InProcessExecutor ex = new InProcessExecutor(SweepLoopTest::synthetic, NO_CHECKPOINTS)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new SweepLoop(s, stuck, ex, 2, null, List.of()).run());
            assertEquals("the searcher waits for results with no trial running", e.getMessage());
        }
    }

    @Test
    void callbacksHearEveryTrialCreatedStartedPausedAndEndedAndTheSweepsEndInOrder() throws Exception {
        SweepSpec s = spec("{algorithm: random, trials: 3, seed: 1}",
                "{algorithm: asha, max_epochs: 9, grace_epochs: 1, reduction_factor: 3}");
        List<String> heard = new ArrayList<>();
        SweepCallback recorder = new SweepCallback() {
            @Override
            public TrialTask trialCreated(TrialTask task) {
                heard.add("created " + task.index());
                return task;
            }

            @Override
            public void trialPaused(TrialTask task, int rung, boolean promoted, TrialOutcome segment) {
                heard.add("paused " + task.index() + " at " + rung + (promoted ? " promoted" : ""));
            }

            @Override
            public void trialEnded(TrialTask task, TrialOutcome outcome, Map<String, String> tags) {
                heard.add("ended " + task.index() + " " + outcome.status() + " after " + outcome.epochs().size()
                        + tags.keySet());
            }

            @Override
            public void progress(SweepProgress p) {
                heard.add("progress " + p.trial() + " " + p.state());
            }

            @Override
            public void trialStarted(TrialTask task, int fromEpoch) {
                heard.add("started " + task.index() + " from " + fromEpoch);
            }

            @Override
            public SweepResult sweepCompleting(SweepResult result, boolean cancelled) {
                heard.add("completing " + result.outcomes().size() + (cancelled ? " cancelled" : ""));
                return result;
            }

            @Override
            public void sweepEnded(SweepResult result, boolean cancelled) {
                heard.add("sweep ended " + result.outcomes().size() + (cancelled ? " cancelled" : ""));
            }
        };
        SweepResult r = run(s, 1, List.of(recorder));
        assertEquals(List.of("completing 3", "sweep ended 3"), heard.subList(heard.size() - 2, heard.size()),
                "the sweep's end comes last, once");
        // Every segment starts where the trial's epochs stood: a promoted trial resumes from its rung.
        for (TrialOutcome o : r.outcomes()) {
            List<String> starts = heard.stream().filter(h -> h.startsWith("started " + o.index() + " ")).toList();
            assertEquals("started " + o.index() + " from 0", starts.get(0), heard.toString());
            for (String start : starts.subList(1, starts.size())) {
                int from = Integer.parseInt(start.substring(start.lastIndexOf(' ') + 1));
                assertTrue(heard.contains("paused " + o.index() + " at " + from)
                        || heard.contains("paused " + o.index() + " at " + from + " promoted"), start + " " + heard);
            }
        }
        assertTrue(heard.stream().anyMatch(h -> h.matches("started \\d+ from [1-9]\\d*")), "some trial was promoted: "
                + heard);
        assertEquals(3, heard.stream().filter(h -> h.startsWith("created")).count(), heard.toString());
        assertEquals(3, heard.stream().filter(h -> h.startsWith("ended")).count(), heard.toString());
        assertEquals("created 0", heard.get(0));
        for (TrialOutcome o : r.outcomes()) {
            String ended = heard.stream().filter(h -> h.startsWith("ended " + o.index() + " ")).findFirst()
                    .orElseThrow();
            assertTrue(ended.startsWith("ended " + o.index() + " " + o.status() + " after " + o.epochs().size()),
                    ended);
            assertEquals(o.status() == TrialStatus.KILLED, ended.contains("rnnsweep.stopped_by"), ended);
            assertTrue(heard.indexOf("created " + o.index()) < heard.indexOf(ended), heard.toString());
        }
    }

    @Test
    void aCancelledSweepRecordsThePlannedTrialsItNeverStartedAsKilled() throws Exception {
        SweepSpec s = spec("{algorithm: grid}", "{algorithm: fifo}");
        InProcessExecutor[] executor = new InProcessExecutor[1];
        SweepResult r;
        // Ctrl-C while the first trial trains: it still ends as it ends; none of the other eleven starts.
        try (InProcessExecutor ex = new InProcessExecutor(task -> {
            executor[0].cancelAll();
            return synthetic(task);
        }, NO_CHECKPOINTS)) {
            executor[0] = ex;
            r = new SweepController(s, ex, 1, null, List.of()).run();
        }
        assertEquals(12, r.outcomes().size());
        assertEquals(TrialStatus.FINISHED, r.outcomes().get(0).status());
        for (TrialOutcome o : r.outcomes().subList(1, 12)) {
            assertEquals(TrialStatus.KILLED, o.status());
            assertEquals("sweep cancelled before the trial started", o.cause());
        }
    }

    /**
     * What the store would hold of each trial when the driver died after its {@code dieAfter}-th result: its last
     * paused or ended outcome, whether a scheduler stopped it, and (when {@code trainedOn} is set) the first epoch
     * of the segment that was running then, stored with its checkpoint on the way.
     */
    static final class Journal implements SweepCallback {
        final Map<Integer, TrialTask> created = new LinkedHashMap<>();
        final Map<Integer, TrialOutcome> last = new LinkedHashMap<>();
        final java.util.Set<Integer> stopped = new java.util.HashSet<>();
        /** Every job the sweep ran, in the order it ran them (one slot: one at a time). */
        final List<TrialTask> jobs = java.util.Collections.synchronizedList(new ArrayList<>());
        final int dieAfter;
        final boolean trainedOn;
        int events;
        Map<Integer, TrialTask> createdAtDeath;
        Map<Integer, TrialOutcome> lastAtDeath;
        java.util.Set<Integer> stoppedAtDeath;

        Journal(int dieAfter, boolean trainedOn) {
            this.dieAfter = dieAfter;
            this.trainedOn = trainedOn;
        }

        /** The synthetic trial, keeping the job it ran. */
        TrialOutcome run(TrialTask task) {
            jobs.add(task);
            return synthetic(task);
        }

        @Override
        public TrialTask trialCreated(TrialTask task) {
            created.put(task.index(), task);
            return task;
        }

        final Map<Integer, List<Long>> times = new LinkedHashMap<>();
        Map<Integer, List<Long>> timesAtDeath;

        @Override
        public void trialPaused(TrialTask task, int rung, boolean promoted, TrialOutcome segment) {
            List<EpochResult> all = new ArrayList<>(last.containsKey(task.index())
                    ? last.get(task.index()).epochs() : List.of());
            all.addAll(segment.epochs());
            last.put(task.index(), segment.wholeTrial(all, 0));
            stamp(task.index(), all.size());
        }

        @Override
        public void trialEnded(TrialTask task, TrialOutcome outcome, Map<String, String> tags) {
            last.put(task.index(), outcome);
            if (tags.containsKey("rnnsweep.stopped_by")) {
                stopped.add(task.index());
            }
            stamp(task.index(), outcome.epochs().size());
        }

        /** Records when the trial's new epochs arrived: the event count, as a store's timestamps would. */
        private void stamp(int index, int epochs) {
            List<Long> t = times.computeIfAbsent(index, i -> new ArrayList<>());
            while (t.size() < epochs) {
                t.add((long) events);
            }
        }

        @Override
        public void progress(SweepProgress p) {
            if (++events == dieAfter) {
                createdAtDeath = new LinkedHashMap<>(created);
                lastAtDeath = new LinkedHashMap<>(last);
                stoppedAtDeath = java.util.Set.copyOf(stopped);
                timesAtDeath = new LinkedHashMap<>();
                times.forEach((i, t) -> timesAtDeath.put(i, List.copyOf(t)));
            }
        }

        /** The trials a resumed sweep takes up: kept, continued from their rung or within a segment, or restarted. */
        List<PriorTrial> prior() {
            Map<Integer, TrialOutcome> state = new LinkedHashMap<>(lastAtDeath);
            Map<Integer, List<Long>> stamps = new LinkedHashMap<>(timesAtDeath);
            TrialTask next = jobs.size() > dieAfter ? jobs.get(dieAfter) : null; // the job running at the death
            if (trainedOn && next != null && next.segment() != null && next.segment().from() > 0
                    && next.segment().until() - next.segment().from() >= 2) {
                // It trained the first epoch of its segment and stored it before the driver died.
                TrialOutcome segment = synthetic(next);
                List<EpochResult> all = new ArrayList<>(state.get(next.index()).epochs());
                all.add(segment.epochs().get(0));
                state.put(next.index(), new TrialOutcome(next.index(), TrialStatus.PAUSED, all, List.of(), "", "here",
                        1, 0, "", ""));
                List<Long> t = new ArrayList<>(stamps.get(next.index()));
                t.add((long) dieAfter);
                stamps.put(next.index(), t);
            }
            List<PriorTrial> out = new ArrayList<>();
            createdAtDeath.forEach((index, task) -> out.add(new PriorTrial(index, task.options(), state.get(index),
                    state.containsKey(index) ? stamps.get(index) : List.of(), stoppedAtDeath.contains(index))));
            return out;
        }
    }

    @Test
    void aResumedSweepKeepsWhatEndedContinuesWhatPausedAndEndsAsAnUninterruptedOne() throws Exception {
        for (String[] c : CASES) {
            SweepSpec s = spec(c[0], c[1]);
            for (boolean trainedOn : new boolean[] {false, true}) {
                for (int dieAfter = 1; ; dieAfter++) {
                    Journal journal = new Journal(dieAfter, trainedOn);
                    SweepResult whole;
                    try (InProcessExecutor ex = new InProcessExecutor(journal::run, NO_CHECKPOINTS)) {
                        whole = new SweepController(s, ex, 1, s.scheduler().segmented() ? "mem:/" : null,
                                List.of(journal)).run();
                    }
                    if (journal.createdAtDeath == null) {
                        break; // it died after every result: nothing to resume
                    }
                    List<PriorTrial> prior = journal.prior();
                    int[] epochsTrained = {0};
                    Map<Integer, Integer> endings = new LinkedHashMap<>();
                    SweepCallback endingsCounter = new SweepCallback() {
                        @Override
                        public void trialEnded(TrialTask task, TrialOutcome outcome, Map<String, String> tags) {
                            endings.merge(task.index(), 1, Integer::sum);
                        }
                    };
                    SweepResult resumed;
                    try (InProcessExecutor ex = new InProcessExecutor(task -> {
                        TrialOutcome o = synthetic(task);
                        epochsTrained[0] += o.epochs().size();
                        return o;
                    }, NO_CHECKPOINTS)) {
                        resumed = new SweepController(s, ex, 1, s.scheduler().segmented() ? "mem:/" : null,
                                List.of(endingsCounter)).resume(prior);
                    }
                    String at = c[0] + " " + c[1] + ", died after result " + dieAfter
                            + (trainedOn ? " and an epoch of the next segment" : "");
                    assertEquals(decisions(whole), decisions(resumed), at);
                    for (int i = 0; i < resumed.outcomes().size(); i++) {
                        assertEquals(1, endings.getOrDefault(i, 0), "trial " + i + " ends once: " + at);
                    }
                    int kept = prior.stream().filter(p -> p.outcome() != null)
                            .mapToInt(p -> p.outcome().epochs().size()).sum();
                    int all = whole.outcomes().stream().mapToInt(o -> o.epochs().size()).sum();
                    assertEquals(all - kept, epochsTrained[0], "the resume trains only what the earlier run had not"
                            + " kept: " + at);
                }
            }
        }
    }

    @Test
    void aResumeWhoseSpecProposesOtherTrialsIsRefused() {
        SweepSpec s = spec("{algorithm: grid}", "{algorithm: fifo}");
        List<PriorTrial> prior = List.of(new PriorTrial(0, Map.of("hidden", "512", "lr", "0.003", "epochs", "9"),
                null, List.of()));
        try (InProcessExecutor ex = new InProcessExecutor(SweepLoopTest::synthetic, NO_CHECKPOINTS)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new SweepController(s, ex, 1, null, List.of()).resume(prior));
            assertTrue(e.getMessage().startsWith("loop/trial-000: the spec proposes"), e.getMessage());
        }
    }

    @Test
    void trialsCsvNamesForEachEpochTheJvmOfTheSegmentThatTrainedIt() throws Exception {
        SweepSpec s = spec("{algorithm: grid}", "{algorithm: asha, max_epochs: 9, grace_epochs: 1, reduction_factor: 3}");
        // Each segment runs on an executor of its own: pid 1000 + the segment's first epoch.
        try (InProcessExecutor ex = new InProcessExecutor(task -> {
            TrialOutcome o = synthetic(task);
            long pid = 1000 + (task.segment() == null ? 0 : task.segment().from());
            return new TrialOutcome(o.index(), o.status(), o.epochs(), o.report(), o.cause(), "host-" + pid, pid,
                    o.seconds(), o.gpu(), o.blas());
        }, NO_CHECKPOINTS)) {
            SweepResult r = new SweepController(s, ex, 2, "mem:/", List.of()).run();
            List<String> rows = List.of(r.trialsCsv().split("\n"));
            List<String> header = List.of(rows.get(0).split(","));
            int epoch = header.indexOf("epoch");
            int host = header.indexOf("host");
            int pid = header.indexOf("pid");
            int checked = 0;
            java.util.Set<Long> pids = new java.util.TreeSet<>();
            for (String row : rows.subList(1, rows.size())) {
                String[] cells = row.split(",");
                if (cells[epoch].isEmpty()) {
                    continue;
                }
                int e = Integer.parseInt(cells[epoch]);
                // ASHA's rungs at epochs 1, 3 and 9: segments start after epochs 0, 1 and 3.
                long expected = 1000 + (e <= 1 ? 0 : e <= 3 ? 1 : 3);
                assertEquals(Long.toString(expected), cells[pid], row);
                assertEquals("host-" + expected, cells[host], row);
                pids.add(expected);
                checked++;
            }
            assertEquals(java.util.Set.of(1000L, 1001L, 1003L), pids, "every segment's epochs were seen");
            assertTrue(checked > 12, "epochs checked: " + checked);
        }
    }
}
