package io.rnnsweep.cli;

import static io.rnnsweep.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rnnsweep.tracking.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped specs of the small seed tasks, swept as a user would: their best trial trains to its end with
 * healthy gradients (the divergence limits and the gradient health judge none of them blown up).
 */
class ShippedSpecsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"hello.yaml", "sine.yaml"})
    void theBestTrialOfAShippedSpecFinishesWithHealthyGradients(String file) throws Exception {
        Path spec = Path.of(System.getProperty("rnnsweep.repo", ".")).resolve("conf").resolve(file);
        Path out = dir.resolve("out");
        Path mlruns = dir.resolve("mlruns");
        Cli.Run r = run("sweep", spec.toString(), "--out", out.toString(), "--tracking-uri", mlruns.toString(),
                "--master", "local[2]");
        assertEquals(0, r.code(), r.out() + r.err());
        List<String> board = Files.readAllLines(out.resolve("leaderboard.csv"));
        List<String> header = List.of(board.get(0).split(","));
        String[] best = board.get(1).split(",");
        assertEquals("1", best[header.indexOf("rank")]);
        assertEquals("FINISHED", best[header.indexOf("status")], board.get(1));
        String trial = best[header.indexOf("trial")];
        FileStore store = new FileStore(mlruns);
        List<String> experiments = store.experiments().stream().map(FileStore.Experiment::id).toList();
        FileStore.Run run = store.searchRuns(experiments, Map.of("rnnsweep.trial_index", trial)).stream()
                .filter(x -> x.tags().containsKey("mlflow.parentRunId")).findFirst().orElseThrow();
        assertEquals("healthy", run.tags().get("rnnsweep.gradient_health"), file + " trial " + trial + ": "
                + run.tags());
    }
}
