package io.rnnsweep.spec;

import io.rnnsweep.search.Searcher;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.search.SearchAlgorithm;
import io.rnnsweep.space.Domain;
import io.rnnsweep.trial.Cell;
import io.rnnsweep.trial.ObjectiveMode;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SpecLoaderTest {
    private static final String VALID = """
            name: tm-grid
            task: timemachine
            objective: {metric: val_perplexity, mode: min}
            search: {algorithm: grid}
            space:
              hidden: [64, 128]
              lr: [0.5, 1]
              clip: [1, none]
            fixed: {epochs: 3, cell: lstm}
            execution: {max_concurrent: 4, cpus_per_trial: 1, gpus_per_trial: 1, timeout_minutes: 30, retries: 2,
                        mode: data-parallel}
            tracking: {uri: "http://127.0.0.1:5000", experiment: rnn-study}
            """;

    private static final String RANDOM = """
            name: r
            task: sine
            objective: {metric: test_mse, mode: min}
            search: {algorithm: random, trials: 7, seed: 3}
            space:
              lr: {loguniform: [0.0001, 0.01]}
              hidden: {int: [4, 16]}
              cell: {choice: [rnn, lstm]}
            """;

    @Test
    void validSpecBecomesTypedRecordsAndExpandsToItsGrid() {
        SweepSpec s = SpecLoader.parse("valid.yaml", VALID);
        assertEquals("tm-grid", s.name());
        assertEquals(TaskName.TIMEMACHINE, s.task());
        assertEquals("val_perplexity", s.objective().metric());
        assertEquals(ObjectiveMode.MIN, s.objective().mode());
        assertEquals(SearchAlgorithm.GRID, s.algorithm());
        assertEquals(new Domain.Choice(List.of("64", "128")), s.space().get(TrialOption.HIDDEN));
        assertEquals(new ExecutionSpec(4, 1, 1, java.util.Optional.of(Duration.ofMinutes(30)), 2,
                ExecutionMode.DATA_PARALLEL, 1), s.execution());
        assertEquals("rnn-study", s.experiment());
        List<TrialConfig> trials = s.trialConfigs();
        assertEquals(8, trials.size());
        assertTrue(trials.stream().allMatch(c -> c.cell() == Cell.LSTM && c.epochs() == 3));
        assertEquals("timemachine-lstm-h128-l1-lr1-clipnone", trials.get(7).runName());
    }

    @Test
    void defaultsFillWhatASpecLeavesOut() {
        SweepSpec s = SpecLoader.parse("min.yaml", """
                name: h
                task: hello
                objective: {metric: accuracy, mode: max}
                space: {hidden: [4, 8]}
                """);
        assertEquals(SearchAlgorithm.GRID, s.algorithm());
        assertEquals(ExecutionSpec.DEFAULTS, s.execution());
        assertEquals("h", s.experiment());
        assertTrue(s.trackingUri().isEmpty());
    }

    @Test
    void schedulerSectionSetsEveryTrialsEpochsAndRoundTrips() {
        SweepSpec s = SpecLoader.parse("asha.yaml", """
                name: a
                task: hello
                objective: {metric: val_loss, mode: min}
                space: {hidden: [4, 8]}
                scheduler: {algorithm: asha, max_epochs: 27, grace_epochs: 2, reduction_factor: 4,
                            checkpoint_dir: "hdfs://nn/ckpt", keep_checkpoints: all}
                """);
        assertEquals(new SchedulerSpec(SchedulerAlgorithm.ASHA, 27, 2, 4, SchedulerSpec.MIN_SAMPLES,
                java.util.Optional.of("hdfs://nn/ckpt"), CheckpointRetention.ALL), s.scheduler());
        assertTrue(s.trialConfigs().stream().allMatch(c -> c.epochs() == 27), "max_epochs is every trial's epochs");
        assertEquals(s, SpecLoader.parse("again.yaml", SpecWriter.toYaml(s)), "the resolved spec reads back equal");
        assertEquals("asha (rungs [2, 8], η 4, max 27 epochs)", s.scheduler().describe());
        assertEquals(io.rnnsweep.trial.Divergence.DEFAULT, s.divergence(), "the documented divergence limits");
        SweepSpec limits = SpecLoader.parse("limits.yaml", """
                name: limits
                task: hello
                objective: {metric: val_loss, mode: min}
                space: {hidden: [4, 8]}
                divergence: {baseline_factor: 5, best_factor: none}
                """);
        assertEquals(new io.rnnsweep.trial.Divergence(5, Double.NaN), limits.divergence());
        assertEquals(limits, SpecLoader.parse("again.yaml", SpecWriter.toYaml(limits)), "divergence reads back");

        SweepSpec plain = SpecLoader.parse("plain.yaml", "name: p\ntask: hello\nobjective: {metric: val_loss, mode: min}\n"
                + "space: {hidden: [4]}\nfixed: {epochs: 7}\n");
        assertEquals(SchedulerSpec.fifo(7), plain.scheduler(), "no scheduler section: fifo over the trials' epochs");
        assertEquals(plain, SpecLoader.parse("again.yaml", SpecWriter.toYaml(plain)));
        SweepSpec median = SpecLoader.parse("m.yaml", "name: m\ntask: hello\nobjective: {metric: val_loss, mode: min}\n"
                + "space: {hidden: [4]}\nfixed: {epochs: 12}\nscheduler: {algorithm: median, grace_epochs: 3, min_samples: 5}\n");
        assertEquals(new SchedulerSpec(SchedulerAlgorithm.MEDIAN, 12, 3, SchedulerSpec.ETA, 5, java.util.Optional.empty(),
                CheckpointRetention.FINISHED), median.scheduler());
        assertEquals(median, SpecLoader.parse("again.yaml", SpecWriter.toYaml(median)));
        SweepSpec fifo = SpecLoader.parse("f.yaml", "name: f\ntask: hello\nobjective: {metric: val_loss, mode: min}\n"
                + "space: {hidden: [4]}\nexecution: {checkpoint_every: 5}\n"
                + "scheduler: {algorithm: fifo, checkpoint_dir: 'hdfs://nn/ckpt'}\n");
        assertEquals(5, fifo.execution().checkpointEvery());
        assertEquals(java.util.Optional.of("hdfs://nn/ckpt"), fifo.scheduler().checkpointDir(),
                "a sweep without early stopping keeps its running trials' checkpoints there too");
        assertEquals(fifo, SpecLoader.parse("again.yaml", SpecWriter.toYaml(fifo)));
        SweepSpec or = SpecLoader.parse("o.yaml", "name: o\ntask: hello\nobjective: {metric: val_loss, mode: min}\n"
                + "search: {algorithm: tpe, trials: 6, startup_trials: 2}\n"
                + "space: {clip: {loguniform: [0.05, 10], or: [none]}}\n");
        assertEquals(new io.rnnsweep.space.Domain.Or(new io.rnnsweep.space.Domain.LogUniform(0.05, 10), List.of("none")),
                or.space().get(TrialOption.CLIP));
        assertEquals(or, SpecLoader.parse("again.yaml", SpecWriter.toYaml(or)), "a distribution or values reads back");
    }

    @Test
    void randomSpecDrawsItsTrialCountFromDistributions() {
        SweepSpec s = SpecLoader.parse("r.yaml", RANDOM);
        assertEquals(7, s.trialConfigs().size());
        assertEquals(Searcher.planned(s.searcher()), Searcher.planned(SpecLoader.parse("r.yaml", RANDOM).searcher()), "same seed, same trials");
    }

    @Test
    void everyShippedSpecIsValid() throws IOException {
        Path conf = Path.of(System.getProperty("rnnsweep.repo", ".")).resolve("conf");
        try (Stream<Path> files = Files.list(conf)) {
            List<Path> specs = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertTrue(specs.size() >= 6, "one spec per trained task and the showcase grid: " + specs);
            for (Path p : specs) {
                SweepSpec s = SpecLoader.load(p);
                assertTrue(!Searcher.planned(s.searcher()).isEmpty(), p.toString());
            }
        }
    }

    static Stream<Arguments> badSpecs() {
        String head = "name: s\ntask: hello\nobjective: {metric: val_loss, mode: min}\n";
        String tm = "name: s\ntask: timemachine\nobjective: {metric: val_loss, mode: min}\n";
        return Stream.of(
                Arguments.of("unknown key, did-you-mean", head + "spcae: {hidden: [8]}\n", "spcae", "did you mean 'space'"),
                Arguments.of("unknown option, did-you-mean", head + "space: {hiden: [8]}\n", "space.hiden", "did you mean 'hidden'"),
                Arguments.of("wrong type in a list", head + "space: {hidden: [eight]}\n", "space.hidden", "eight"),
                Arguments.of("wrong type: scalar space", head + "space: {hidden: 8}\n", "space.hidden", "a list of values"),
                Arguments.of("empty space", head + "space: {}\n", "space", "at least one option"),
                Arguments.of("empty list", head + "space: {hidden: []}\n", "space.hidden", "non-empty list"),
                Arguments.of("distribution in a grid", head + "space: {lr: {loguniform: [0.001, 0.1]}}\n", "space.lr", "grid search cannot expand"),
                Arguments.of("non-positive hidden", head + "space: {hidden: [0, 8]}\n", "space.hidden", "'0'"),
                Arguments.of("negative lr in fixed", head + "space: {hidden: [8]}\nfixed: {lr: -1}\n", "fixed.lr", "'-1'"),
                Arguments.of("unknown task", "name: s\ntask: gru-lm\nobjective: {metric: val_loss, mode: min}\nspace: {hidden: [8]}\n", "task", "gru-lm"),
                Arguments.of("metric the task does not produce", "name: s\ntask: sine\nobjective: {metric: val_perplexity, mode: min}\nspace: {hidden: [8]}\n", "objective.metric", "test_mse"),
                Arguments.of("max concurrency 0", head + "space: {hidden: [8]}\nexecution: {max_concurrent: 0}\n", "execution.max_concurrent", "'0'"),
                Arguments.of("missing corpus file", tm + "space: {hidden: [8]}\nfixed: {corpus: /no/such/corpus.txt}\n", "fixed.corpus", "no such file"),
                Arguments.of("unreadable YAML", head + "space: {hidden: [8\n", "yaml", "well-formed YAML"),
                Arguments.of("option that does not apply", head + "space: {hidden: [8]}\nfixed: {corpus: x.txt}\n", "fixed.corpus", "an option of task hello"),
                Arguments.of("random with zero trials", head + "search: {algorithm: random, trials: 0}\nspace: {hidden: [8]}\n", "search.trials", "'0'"),
                Arguments.of("trials in a grid", head + "search: {algorithm: grid, trials: 5}\nspace: {hidden: [8]}\n", "search.trials", "use algorithm: random"),
                Arguments.of("unknown objective mode", "name: s\ntask: hello\nobjective: {metric: val_loss, mode: minimize}\nspace: {hidden: [8]}\n", "objective.mode", "min | max"),
                Arguments.of("unknown execution mode", head + "space: {hidden: [8]}\nexecution: {mode: data}\n", "execution.mode", "trial-parallel | data-parallel"),
                Arguments.of("loguniform from zero", head + "search: {algorithm: random, trials: 2}\nspace: {lr: {loguniform: [0, 1]}}\n", "space.lr.loguniform", "0 < low < high"),
                Arguments.of("sequence longer than the corpus", tm + "space: {seq-len: [100000]}\n", "space.seq-len", "training characters"),
                Arguments.of("option both fixed and swept", head + "space: {hidden: [8]}\nfixed: {hidden: 4}\n", "space.hidden", "not also in fixed"),
                Arguments.of("task with nothing to train", "name: s\ntask: srn\nobjective: {metric: val_loss, mode: min}\nspace: {hidden: [8]}\n", "task", "a task that trains"),
                Arguments.of("missing objective", "name: s\ntask: hello\nspace: {hidden: [8]}\n", "objective", "required"),
                Arguments.of("bad name", "name: 'my sweep!'\ntask: hello\nobjective: {metric: val_loss, mode: min}\nspace: {hidden: [8]}\n", "name", "letters, digits"),
                Arguments.of("unknown scheduler", head + "space: {hidden: [8]}\nscheduler: {algorithm: ashha}\n", "scheduler.algorithm", "did you mean 'asha'"),
                Arguments.of("scheduler without algorithm", head + "space: {hidden: [8]}\nscheduler: {max_epochs: 9}\n", "scheduler.algorithm", "required"),
                Arguments.of("unknown scheduler key", head + "space: {hidden: [8]}\nscheduler: {algorithm: asha, eta: 3}\n", "scheduler.eta", "reduction_factor"),
                Arguments.of("reduction factor 1", head + "space: {hidden: [8]}\nscheduler: {algorithm: asha, max_epochs: 9, reduction_factor: 1}\n", "scheduler.reduction_factor", "from 2 to 100"),
                Arguments.of("grace not below max", head + "space: {hidden: [8]}\nscheduler: {algorithm: asha, max_epochs: 9, grace_epochs: 9}\n", "scheduler.grace_epochs", "from 1 to 8"),
                Arguments.of("min samples for asha", head + "space: {hidden: [8]}\nscheduler: {algorithm: asha, max_epochs: 9, min_samples: 2}\n", "scheduler.min_samples", "applies to median"),
                Arguments.of("reduction factor for median", head + "space: {hidden: [8]}\nscheduler: {algorithm: median, max_epochs: 9, reduction_factor: 3}\n", "scheduler.reduction_factor", "nothing for algorithm median"),
                Arguments.of("max epochs against fixed epochs", head + "space: {hidden: [8]}\nfixed: {epochs: 10}\nscheduler: {algorithm: asha, max_epochs: 27}\n", "scheduler.max_epochs", "fixed.epochs = 10"),
                Arguments.of("epochs swept under a scheduler", head + "space: {hidden: [8], epochs: [3, 9]}\nscheduler: {algorithm: hyperband, max_epochs: 9}\n", "space.epochs", "the scheduler decides"),
                Arguments.of("no room for a rung", head + "space: {hidden: [8]}\nfixed: {epochs: 1}\nscheduler: {algorithm: successive_halving}\n", "scheduler.max_epochs", "above grace_epochs = 1"),
                Arguments.of("unknown checkpoint retention", head + "space: {hidden: [8]}\nscheduler: {algorithm: asha, max_epochs: 9, keep_checkpoints: some}\n", "scheduler.keep_checkpoints", "none | finished | all"),
                Arguments.of("checkpoint dir that is no URI", head + "space: {hidden: [8]}\nscheduler: {algorithm: asha, max_epochs: 9, checkpoint_dir: 'hdfs://a b/c'}\n", "scheduler.checkpoint_dir", "Hadoop FileSystem URI"),
                Arguments.of("early stopping of data-parallel trials", tm.replace("val_loss", "val_perplexity") + "space: {hidden: [8]}\nexecution: {mode: data-parallel}\nscheduler: {algorithm: asha, max_epochs: 9}\n", "scheduler.algorithm", "needs trial-parallel"),
                Arguments.of("grace above a small max", head + "space: {hidden: [8]}\nscheduler: {algorithm: asha, max_epochs: 2, grace_epochs: 5}\n", "scheduler.grace_epochs", "below scheduler.max_epochs = 2"),
                Arguments.of("a section twice", head + "space: {hidden: [8]}\nscheduler: {algorithm: asha, max_epochs: 9}\nscheduler: {algorithm: fifo}\n", "yaml", "'scheduler (again at line"),
                Arguments.of("an option twice in space", head + "space:\n  hidden: [8]\n  lr: [0.1]\n  hidden: [16]\n", "yaml", "'hidden (again at line 7)'"),
                Arguments.of("random over lists with more trials than configurations", head + "search: {algorithm: random, trials: 7}\nspace: {hidden: [8, 16], lr: [0.1, 0.01, 0.001]}\n", "search.trials", "at most 6, the distinct configurations"),
                Arguments.of("listed value beside a distribution out of range", head + "search: {algorithm: random, trials: 4}\nspace: {lr: {loguniform: [0.01, 1], or: [-1]}}\n", "space.lr.or", "'-1'"),
                Arguments.of("relative clip of zero", head + "space: {hidden: [8]}\nfixed: {clip: {relative: 0}}\n", "fixed.clip", "relative:X (X > 0"),
                Arguments.of("relative clip in data-parallel", tm.replace("val_loss", "val_perplexity") + "space: {clip: [1, {relative: 2}]}\nexecution: {mode: data-parallel}\n", "space.clip", "an absolute threshold or none"),
                Arguments.of("tpe key for a random search", head + "search: {algorithm: random, trials: 4, startup_trials: 2}\nspace: {lr: {loguniform: [0.01, 1]}}\n", "search.startup_trials", "it applies to tpe"),
                Arguments.of("startup trials above the trials", head + "search: {algorithm: tpe, trials: 4, startup_trials: 5}\nspace: {lr: {loguniform: [0.01, 1]}}\n", "search.startup_trials", "from 1 to search.trials = 4"),
                Arguments.of("unknown tpe key", head + "search: {algorithm: tpe, trials: 4, startup: 2}\nspace: {lr: {loguniform: [0.01, 1]}}\n", "search.startup", "startup_trials"),
                Arguments.of("warm start that is no list", head + "search: {algorithm: tpe, trials: 4, warm_start: earlier}\nspace: {lr: {loguniform: [0.01, 1]}}\n", "search.warm_start", "a list of earlier sweeps' names"),
                Arguments.of("negative checkpoint interval", head + "space: {hidden: [8]}\nexecution: {checkpoint_every: -1}\n", "execution.checkpoint_every", "'-1'"),
                Arguments.of("checkpoint interval that is no integer", head + "space: {hidden: [8]}\nexecution: {checkpoint_every: often}\n", "execution.checkpoint_every", "'often'"),
                Arguments.of("negative gpus", head + "space: {hidden: [8]}\nexecution: {gpus_per_trial: -1}\n", "execution.gpus_per_trial", "'-1'"),
                Arguments.of("divergence factor of 1", head + "space: {hidden: [8]}\ndivergence: {baseline_factor: 1}\n", "divergence.baseline_factor", "a number > 1, or none"),
                Arguments.of("divergence factor that is no number", head + "space: {hidden: [8]}\ndivergence: {best_factor: high}\n", "divergence.best_factor", "'high'"),
                Arguments.of("unknown divergence key", head + "space: {hidden: [8]}\ndivergence: {loss_factor: 3}\n", "divergence.loss_factor", "baseline_factor"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSpecs")
    void badSpecIsRejectedNamingTheFieldTheValueAndWhatIsAllowed(String why, String yaml, String field, String fragment) {
        SpecException e = assertThrows(SpecException.class, () -> SpecLoader.parse("bad.yaml", yaml), why);
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith("bad.yaml: invalid value for field '" + field + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("allowed: "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), why + " -> " + e.getMessage());
    }

    @Test
    void anAllDigitNameIsTakenAsTheTextItIs() {
        SweepSpec s = SpecLoader.parse("n.yaml", "name: 2024\ntask: hello\nobjective: {metric: val_loss, mode: min}\n"
                + "space: {hidden: [8]}\n");
        assertEquals("2024", s.name());
    }

    @Test
    void missingSpecFileIsRejectedNamingIt() {
        SpecException e = assertThrows(SpecException.class, () -> SpecLoader.load(Path.of("/no/such/spec.yaml")));
        assertEquals("spec", e.field());
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void aBinaryOrFolderSpecIsRejectedSayingWhatItIs(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path binary = java.nio.file.Files.write(dir.resolve("spec.yaml"), new byte[] {(byte) 0x7f, 'E', 'L', 'F',
            (byte) 0xff, (byte) 0xfe, 0, 1});
        SpecException e = assertThrows(SpecException.class, () -> SpecLoader.load(binary));
        assertEquals("spec", e.field());
        assertTrue(e.getMessage().contains("not UTF-8 text"), e.getMessage());
        e = assertThrows(SpecException.class, () -> SpecLoader.load(dir));
        assertTrue(e.getMessage().contains("this is a folder"), e.getMessage());
    }
}
