package io.rnnsweep.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.execution.ConsoleProgress;
import io.rnnsweep.execution.SweepController;
import io.rnnsweep.execution.SweepResult;
import io.rnnsweep.execution.TrialOutcome;
import io.rnnsweep.spec.SpecLoader;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.TrialStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synchronous successive halving and the median rule driving real sweeps on Spark local[2]. */
class ScheduledSweepTest {
    @TempDir
    Path dir;

    private SweepResult run(String scheduler, StringWriter progress) throws Exception {
        SweepSpec spec = SpecLoader.parse("s.yaml", """
                name: scheduled
                task: hello
                objective: {metric: val_loss, mode: min}
                space:
                  hidden: [16, 4]
                  lr: [0.05, 0.01, 0.003]
                scheduler: %s
                execution: {max_concurrent: 2}
                """.formatted(scheduler));
        try (SparkTrialExecutor executor = SparkTrialExecutor.start("local[2]", spec.name(), 1, 0, spec.execution().mode())) {
            return new SweepController(spec, executor, 2, dir.resolve("checkpoints").toUri().toString(),
                    List.of(new ConsoleProgress(spec, new PrintWriter(progress)))).run();
        }
    }

    private static double at(TrialOutcome o, int epoch) {
        return o.epochs().get(epoch - 1).validationLoss();
    }

    @Test
    void synchronousHalvingKeepsTheTopThirdOfEachFullRung() throws Exception {
        StringWriter progress = new StringWriter();
        SweepResult r = run("{algorithm: successive_halving, max_epochs: 9, grace_epochs: 1, reduction_factor: 3}",
                progress);
        List<TrialOutcome> all = r.outcomes();
        assertTrue(all.stream().allMatch(o -> o.epochs().size() >= 1), "every trial reaches rung 1");
        List<TrialOutcome> rung3 = all.stream().filter(o -> o.epochs().size() >= 3).toList();
        assertEquals(2, rung3.size(), "floor(6/3) = 2 go on from rung 1");
        List<TrialOutcome> byRung1 = all.stream().sorted(Comparator.comparingDouble(o -> at(o, 1))).toList();
        assertEquals(byRung1.subList(0, 2).stream().map(TrialOutcome::index).sorted().toList(),
                rung3.stream().map(TrialOutcome::index).sorted().toList(), "the two best at epoch 1, once all six were in");
        List<TrialOutcome> finished = all.stream().filter(o -> o.status() == TrialStatus.FINISHED).toList();
        assertEquals(1, finished.size(), "max(1, floor(2/3)) = 1 trains to the end");
        assertEquals(9, finished.get(0).epochs().size());
        assertEquals(rung3.stream().min(Comparator.comparingDouble(o -> at(o, 3))).orElseThrow().index(),
                finished.get(0).index(), "the better of the two at epoch 3");
        assertEquals(5, r.count(TrialStatus.KILLED));
        assertTrue(all.stream().filter(o -> o.status() == TrialStatus.KILLED)
                .allMatch(o -> o.cause().startsWith("successive_halving stopped it at epoch ")), all.toString());
        assertEquals(6 + 2 * 2 + 6, r.epochsTrained());
        try (var files = Files.list(dir.resolve("checkpoints"))) {
            assertEquals(List.of(String.format("trial-%03d.zip", finished.get(0).index())),
                    files.map(p -> p.getFileName().toString()).toList(), "only the finished trial's checkpoint is kept");
        }
    }

    @Test
    void medianRuleStopsTrialsWorseThanTheMedianAfterTheGracePeriod() throws Exception {
        StringWriter progress = new StringWriter();
        SweepResult r = run("{algorithm: median, max_epochs: 6, grace_epochs: 2, min_samples: 2}", progress);
        assertTrue(r.count(TrialStatus.FINISHED) >= 1, "the best trials train to the end");
        assertTrue(r.count(TrialStatus.KILLED) >= 1, "the slow learning rates fall behind the first, fast trials: " + progress);
        for (TrialOutcome o : r.outcomes()) {
            if (o.status() == TrialStatus.KILLED) {
                assertTrue(o.epochs().size() > 2 && o.epochs().size() < 6, "stopped after the grace period: " + o.epochs().size());
                assertTrue(o.cause().startsWith("median stopped it at epoch " + o.epochs().size() + ": its best value "),
                        o.cause());
            } else {
                assertEquals(TrialStatus.FINISHED, o.status(), o.cause());
                assertEquals(6, o.epochs().size());
            }
            assertEquals(o.epochs().stream().map(EpochResult::epoch).toList(),
                    java.util.stream.IntStream.rangeClosed(1, o.epochs().size()).boxed().toList(), "epochs in order, once");
        }
        assertTrue(progress.toString().lines().anyMatch(l -> l.contains("-> stopped")), progress.toString());
    }
}
