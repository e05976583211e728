package io.rnnsweep.spark;

import io.rnnsweep.search.Searcher;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.execution.SweepController;
import io.rnnsweep.execution.SweepResult;
import io.rnnsweep.execution.TrialOutcome;
import io.rnnsweep.spec.ExecutionMode;
import io.rnnsweep.spec.SpecLoader;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.task.Batch;
import io.rnnsweep.task.CharCorpus;
import io.rnnsweep.task.TaskSession;
import io.rnnsweep.task.Tasks;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.TrialStatus;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data-parallel trials on Spark local[2]: each epoch trained across both slots with dl4j-spark. */
class DataParallelSweepTest {
    @TempDir
    Path dir;

    @Test
    void dataParallelTrainingLowersPerplexityOnASmallCorpus() throws Exception {
        Path corpus;
        try (InputStream in = CharCorpus.class.getResourceAsStream(CharCorpus.BUNDLED)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            corpus = Files.writeString(dir.resolve("small.txt"), text.substring(0, 20_000));
        }
        SweepSpec spec = SpecLoader.parse("dp.yaml", """
                name: dp
                task: timemachine
                objective: {metric: val_perplexity, mode: min}
                space:
                  lr: [1]
                fixed: {corpus: %s, hidden: 32, epochs: 4, clip: none}
                execution: {mode: data-parallel, cpus_per_trial: 1}
                """.formatted(corpus));
        assertEquals(ExecutionMode.DATA_PARALLEL, spec.execution().mode());
        SweepResult result;
        try (SparkTrialExecutor executor = SparkTrialExecutor.start("local[2]", spec.name(), 1, 0,
                spec.execution().mode())) {
            assertEquals(2, executor.slots(1));
            result = new SweepController(spec, executor, 1, new PrintWriter(new StringWriter())).run();
        }
        TrialOutcome good = result.outcomes().get(0);
        assertEquals(TrialStatus.FINISHED, good.status(), good.cause());
        List<EpochResult> epochs = good.epochs();
        assertEquals(4, epochs.size());
        double first = epochs.get(0).validationPerplexity();
        double last = epochs.get(3).validationPerplexity();
        assertTrue(last < first - 2, "validation perplexity falls across epochs: " + first + " -> " + last);
        assertTrue(last < 14, "well below the 28-token vocabulary's uniform perplexity: " + last);
        TaskSession session = Tasks.get(TaskName.TIMEMACHINE).open(spec.trialConfig(Searcher.planned(spec.searcher()).get(0)));
        for (EpochResult e : epochs) {
            assertEquals(session.batches(e.epoch()).stream().mapToLong(Batch::tokens).sum(), e.tokens(),
                    "the workers trained on every token of the epoch, and their counts came back");
            assertTrue(e.gradNormMean() > 0 && e.gradNormMax() >= e.gradNormMean(), "gradient norms came back");
            assertEquals(0.0, e.clipFraction(), "clip: none never clips");
        }
        assertTrue(epochs.get(3).trainLoss() < epochs.get(0).trainLoss(), "training loss falls too");
    }

    @Test
    void aTrialDivergingOnAWorkerEndsDivergedAndTheSweepGoesOn() throws Exception {
        SweepSpec spec = SpecLoader.parse("dp-sine.yaml", """
                name: dp-sine
                task: sine
                objective: {metric: test_mse, mode: min}
                space:
                  lr: [1000000, 0.01]
                fixed: {optimizer: sgd, epochs: 1}
                execution: {mode: data-parallel}
                """);
        SweepResult result;
        try (SparkTrialExecutor executor = SparkTrialExecutor.start("local[2]", spec.name(), 1, 0,
                spec.execution().mode())) {
            result = new SweepController(spec, executor, 1, new PrintWriter(new StringWriter())).run();
        }
        TrialOutcome diverged = result.outcomes().get(0);
        assertEquals(TrialStatus.DIVERGED, diverged.status(), diverged.cause());
        assertTrue(diverged.cause().startsWith("diverged in epoch 1") && diverged.cause().contains("data-parallel worker"),
                diverged.cause());
        assertEquals(TrialStatus.FINISHED, result.outcomes().get(1).status(), result.outcomes().get(1).cause());
        assertEquals(1, result.outcomes().get(1).epochs().size());
    }

    @Test
    void dataParallelModeIsRefusedForTheEncoderDecoderGraph() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.rnnsweep.spec.SpecException.class,
                () -> SpecLoader.parse("dp.yaml", """
                        name: dp
                        task: antonyms
                        objective: {metric: val_loss, mode: min}
                        space: {lr: [0.01]}
                        execution: {mode: data-parallel}
                        """));
        assertEquals("execution.mode", e.field());
        assertTrue(e.getMessage().contains("layer-stack"), e.getMessage());
    }
}
