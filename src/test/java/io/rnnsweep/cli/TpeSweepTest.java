package io.rnnsweep.cli;

import static io.rnnsweep.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.tracking.FileStore;
import io.rnnsweep.tracking.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-based search end to end on Spark local[2]: a TPE sweep under ASHA, a second sweep warm-started from it,
 * and the warm starts a spec may not ask for.
 */
class TpeSweepTest {
    private static final String SPEC = """
            name: sine-tpe
            task: sine
            objective: {metric: test_mse, mode: min}
            search: {algorithm: tpe, trials: 8, seed: 4, startup_trials: 3}
            space:
              hidden: [4, 8, 16]
              lr: {loguniform: [0.001, 0.05]}
              clip: [none, {relative: 2}]
            scheduler: {algorithm: asha, max_epochs: 6, grace_epochs: 2, reduction_factor: 3}
            execution: {max_concurrent: 2}
            """;

    @TempDir
    Path dir;

    private List<FileStore.Run> runs(FileStore store, String sweep) {
        List<String> experiments = store.experiments().stream().map(FileStore.Experiment::id).toList();
        return store.searchRuns(experiments, Map.of("rnnsweep.sweep", sweep));
    }

    @Test
    void aTpeSweepUnderAshaRunsItsTrialsAndASecondSweepWarmStartsFromIt() throws Exception {
        Path mlruns = dir.resolve("mlruns");
        Path first = Files.writeString(dir.resolve("tpe.yaml"), SPEC);
        Cli.Run dry = run("sweep", first.toString(), "--dry-run");
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains("sweep sine-tpe: 8 trials") && dry.out().contains("the first 3 (startup,"
                + " random)"), dry.out());

        Cli.Run tpe = run("sweep", first.toString(), "--out", dir.resolve("first").toString(), "--tracking-uri",
                mlruns.toString(), "--master", "local[2]");
        assertEquals(0, tpe.code(), tpe.out() + tpe.err());
        FileStore store = new FileStore(mlruns);
        List<FileStore.Run> trials = runs(store, "sine-tpe").stream()
                .filter(r -> r.tags().containsKey("mlflow.parentRunId")).toList();
        assertEquals(8, trials.size(), "every trial the search proposed ran, the model's too");
        assertEquals(8, trials.stream().map(r -> r.params().get("hidden") + "/" + r.params().get("lr") + "/"
                + r.params().get("clip")).distinct().count(), "never the same configuration twice");
        assertTrue(trials.stream().allMatch(r -> r.info().status() != RunStatus.RUNNING));
        assertEquals(9, Files.readAllLines(dir.resolve("first").resolve("leaderboard.csv")).size());
        for (FileStore.Run r : trials) {
            boolean relative = "relative:2".equals(r.params().get("clip"));
            assertEquals(relative, r.latest().stream().anyMatch(m -> m.key().equals("clip_threshold")
                    && m.value() > 0), "a relative threshold's resolved value is logged on its run: " + r.params());
        }
        String report = Files.readString(dir.resolve("first").resolve("report.html"));
        assertTrue(report.contains("Early-stopping validity") && report.contains("<td>2</td>"),
                "the report's table has the rung at epoch 2: " + report);

        // A second sweep starts where the first stopped: its model holds the first sweep's trials from the start.
        Path second = Files.writeString(dir.resolve("warm.yaml"), SPEC.replace("name: sine-tpe", "name: sine-warm")
                .replace("startup_trials: 3}", "startup_trials: 1, warm_start: [sine-tpe]}")
                .replace("trials: 8", "trials: 3"));
        Cli.Run warm = run("sweep", second.toString(), "--out", dir.resolve("second").toString(), "--tracking-uri",
                mlruns.toString(), "--master", "local[2]");
        assertEquals(0, warm.code(), warm.out() + warm.err());
        assertTrue(warm.out().contains("search: tpe warm-started with 8 trials of sine-tpe"), warm.out());
        assertEquals(3, runs(store, "sine-warm").stream().filter(r -> r.tags().containsKey("mlflow.parentRunId"))
                .count());
    }

    @Test
    void aWarmStartFromNoStoredSweepOrAnotherTasksSweepExitsTwoWithNothingCreated() throws Exception {
        Path mlruns = dir.resolve("mlruns");
        Path missing = Files.writeString(dir.resolve("missing.yaml"), SPEC.replace("startup_trials: 3}",
                "startup_trials: 3, warm_start: [never-ran]}"));
        Cli.Run none = run("sweep", missing.toString(), "--out", dir.resolve("a").toString(), "--tracking-uri",
                mlruns.toString(), "--master", "local[2]");
        assertEquals(2, none.code(), none.out() + none.err());
        assertTrue(none.err().contains("search.warm_start") && none.err().contains("never-ran"), none.err());
        assertTrue(runs(new FileStore(mlruns), "sine-tpe").isEmpty(), "no parent run was created");

        Path hello = Files.writeString(dir.resolve("hello.yaml"), """
                name: hello-small
                task: hello
                objective: {metric: val_loss, mode: min}
                space: {hidden: [4]}
                fixed: {epochs: 1}
                """);
        assertEquals(0, run("sweep", hello.toString(), "--out", dir.resolve("h").toString(), "--tracking-uri",
                mlruns.toString(), "--master", "local[1]").code());
        Path other = Files.writeString(dir.resolve("other.yaml"), SPEC.replace("startup_trials: 3}",
                "startup_trials: 3, warm_start: [hello-small]}"));
        Cli.Run wrong = run("sweep", other.toString(), "--out", dir.resolve("b").toString(), "--tracking-uri",
                mlruns.toString(), "--master", "local[2]");
        assertEquals(2, wrong.code(), wrong.out() + wrong.err());
        assertTrue(wrong.err().contains("a sweep of task sine") && wrong.err().contains("task hello"), wrong.err());
        assertTrue(runs(new FileStore(mlruns), "sine-tpe").isEmpty(), "no parent run was created");
        assertFalse(Files.exists(dir.resolve("b").resolve("leaderboard.csv")));
    }
}
