package io.rnnsweep.spark;

import io.rnnsweep.search.Searcher;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.execution.SweepController;
import io.rnnsweep.execution.SweepResult;
import io.rnnsweep.spec.SpecLoader;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.trial.TrialStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real sweep on Spark local[2]: trials as single-task jobs, results and files back on the driver. */
class LocalSweepTest {
    @TempDir
    Path dir;

    @Test
    void localSweepRunsEveryTrialRecordsDivergenceAndWritesItsFiles() throws Exception {
        SweepSpec spec = SpecLoader.parse("sine-lr.yaml", """
                name: sine-lr
                task: sine
                objective: {metric: test_mse, mode: min}
                space:
                  lr: [0.01, 1000000]
                  hidden: [4, 8]
                fixed: {optimizer: sgd, epochs: 2}
                execution: {max_concurrent: 2, cpus_per_trial: 1}
                """);
        StringWriter progress = new StringWriter();
        SweepResult result;
        try (SparkTrialExecutor executor = SparkTrialExecutor.start("local[2]", spec.name(), 1, 0, spec.execution().mode())) {
            result = new SweepController(spec, executor, 2, new PrintWriter(progress)).run();
        }
        assertEquals(4, result.outcomes().size());
        assertEquals(2, result.count(TrialStatus.FINISHED), result.outcomes().toString());
        assertEquals(2, result.count(TrialStatus.DIVERGED), "lr 1e6 without clipping diverges; the sweep goes on");
        for (var o : result.outcomes()) {
            if (o.status() == TrialStatus.FINISHED) {
                assertEquals(2, o.epochs().size());
                assertEquals(ProcessHandle.current().pid(), o.pid(), "local mode: the executor is this JVM");
            } else {
                assertTrue(o.cause().startsWith("diverged in epoch 1"), o.cause());
            }
        }
        List<String> lines = progress.toString().lines().toList();
        assertEquals(4, lines.size(), progress.toString());
        assertTrue(lines.get(3).startsWith("[sine-lr] 4/4 done, 0 running, 2 failed/diverged | best test_mse "), lines.get(3));

        List<SweepResult.Row> board = result.leaderboard();
        assertEquals(TrialStatus.FINISHED, board.get(0).status());
        assertTrue(board.get(0).objective() <= board.get(1).objective());
        assertTrue(Double.isNaN(board.get(3).objective()), "trials without a value rank last");

        Path out = dir.resolve("out");
        result.write(out);
        List<String> trials = Files.readAllLines(out.resolve("trials.csv"));
        assertTrue(trials.get(0).startsWith("trial,run_name,lr,hidden,epoch,train_loss,val_loss,test_mse,train_mse,"),
                trials.get(0));
        assertEquals(1 + 2 * 2 + 2, trials.size(), "a row per epoch of finished trials, one per diverged trial");
        assertTrue(trials.stream().skip(1).allMatch(l -> l.endsWith("," + ProcessHandle.current().pid())));
        List<String> leaderboard = Files.readAllLines(out.resolve("leaderboard.csv"));
        assertEquals("rank,trial,run_name,lr,hidden,test_mse,best_epoch,status", leaderboard.get(0));
        assertEquals(5, leaderboard.size());
        String summary = Files.readString(out.resolve("summary.json"));
        assertTrue(summary.contains("\"trials\": {\"total\": 4, \"finished\": 2, \"failed\": 0, \"diverged\": 2, \"killed\": 0}"),
                summary);
        assertTrue(summary.contains("\"lr\": \"0.01\""), summary);
        // Local mode: the trials trained in this JVM, whose CPU, JIT and GC time over the sweep the summary states.
        var jvm = new com.fasterxml.jackson.databind.ObjectMapper().readTree(summary).get("jvm");
        double cpu = jvm.get("cpu_seconds").asDouble();
        double bound = result.wallSeconds() * Runtime.getRuntime().availableProcessors() * 1.05 + 0.1;
        assertTrue(cpu > 0 && cpu <= bound, "the JVM's CPU over the sweep alone: " + cpu + " s, at most " + bound);
        assertTrue(jvm.get("jit_seconds").asDouble() > 0, "the JIT compiled the trainer's code: " + jvm);
        assertTrue(jvm.get("gc_seconds").isNumber() && jvm.get("gc_seconds").asDouble() >= 0, jvm.toString());
        SweepSpec again = SpecLoader.load(out.resolve("spec.yaml"));
        assertEquals(Searcher.planned(spec.searcher()), Searcher.planned(again.searcher()), "spec.yaml is the resolved, loadable spec");
        assertEquals(spec.fixed(), again.fixed());
    }

    @Test
    void trialPastItsTimeoutIsCancelledAndEndsKilledWhileTheOthersFinish() throws Exception {
        SweepSpec spec = SpecLoader.parse("timeout.yaml", """
                name: timeout
                task: sine
                objective: {metric: test_mse, mode: min}
                space:
                  epochs: [1, 3000]
                execution: {max_concurrent: 2, timeout_minutes: 0.5}
                """);
        long t0 = System.nanoTime();
        SweepResult result;
        try (SparkTrialExecutor executor = SparkTrialExecutor.start("local[2]", spec.name(), 1, 0, spec.execution().mode())) {
            result = new SweepController(spec, executor, 2, new PrintWriter(new StringWriter())).run();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(TrialStatus.FINISHED, result.outcomes().get(0).status(), result.outcomes().get(0).cause());
        assertEquals(TrialStatus.KILLED, result.outcomes().get(1).status());
        assertTrue(result.outcomes().get(1).cause().startsWith("timeout"), result.outcomes().get(1).cause());
        assertTrue(seconds < 90, "the 3000-epoch trial (minutes even at 0.05 s an epoch) was stopped at its 30 s"
                + " limit: " + seconds + " s");
    }
}
