package io.rnnsweep.cli;

import static io.rnnsweep.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.tracking.EmbeddedServer;
import io.rnnsweep.tracking.FileStore;
import io.rnnsweep.tracking.RunStatus;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sweeps tracked by a server that does not take artifacts through its proxy, as {@code mlflow server
 * --no-serve-artifacts --default-artifact-root DIR} runs (the embedded server started that way): trials and the
 * sweep write artifacts where each run's artifact URI points, and an artifact store nobody can write fails
 * nothing.
 */
class ArtifactStoresTest {
    private static final String SPEC = """
            name: hello-artifacts
            task: hello
            objective: {metric: val_loss, mode: min}
            space: {hidden: [4, 8], lr: [0.01, 0.05]}
            fixed: {epochs: 3}
            execution: {max_concurrent: 2}
            """;

    @TempDir
    Path dir;

    private static List<FileStore.Run> runs(FileStore store) {
        List<String> experiments = store.experiments().stream().map(FileStore.Experiment::id).toList();
        return store.searchRuns(experiments, Map.of("rnnsweep.sweep", "hello-artifacts"));
    }

    @Test
    void aServerWithoutAnArtifactProxyGetsEveryArtifactWhereItsRunsPointWithoutWaiting() throws Exception {
        Path spec = Files.writeString(dir.resolve("s.yaml"), SPEC);
        Path shared = dir.resolve("shared-artifacts");
        FileStore store = new FileStore(dir.resolve("server-store"));
        try (EmbeddedServer server = EmbeddedServer.startWithoutArtifacts(store, InetAddress.getLoopbackAddress(),
                0, null, shared)) {
            long t0 = System.nanoTime();
            Cli.Run sweep = run("sweep", spec.toString(), "--out", dir.resolve("out").toString(), "--tracking-uri",
                    server.uri(), "--master", "local[2]");
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(0, sweep.code(), sweep.out() + sweep.err());
            List<FileStore.Run> runs = runs(store);
            assertEquals(5, runs.size(), "four trials and the parent");
            for (FileStore.Run r : runs) {
                assertEquals(RunStatus.FINISHED, r.info().status(), r.info().runName());
                assertFalse(r.tags().containsKey("rnnsweep.artifacts_missing"), r.tags().toString());
                Path artifacts = shared.resolve(r.info().experimentId()).resolve(r.info().runId()).resolve("artifacts");
                String expected = r.tags().containsKey("mlflow.parentRunId") ? "learning_curve.png" : "report.html";
                assertTrue(Files.isRegularFile(artifacts.resolve(expected)), "written where the run points: "
                        + artifacts.resolve(expected));
            }
            // The proxy answers 503 "disabled": no call waits out the 10-second retry window on it.
            assertTrue(seconds < 60, "the sweep took " + seconds + " s");

            // The report rebuilt from the server, through mlflow-client, ranks the trials as the sweep did.
            Path fromServer = dir.resolve("from-server");
            Cli.Run report = run("report", "--sweep", "hello-artifacts", "--tracking-uri", server.uri(),
                    fromServer.toString());
            assertEquals(0, report.code(), report.out() + report.err());
            String html = Files.readString(fromServer.resolve("report.html"));
            String best = Files.readAllLines(dir.resolve("out").resolve("leaderboard.csv")).get(1).split(",")[2];
            assertTrue(html.contains("4 trials") && html.contains(best), "the server's sweep, best " + best + ": "
                    + html);
        }
    }

    @Test
    void anArtifactStoreNobodyCanWriteFailsNoTrialAndNotTheSweep() throws Exception {
        Path spec = Files.writeString(dir.resolve("s.yaml"), SPEC);
        Path notAFolder = Files.writeString(dir.resolve("not-a-folder"), "a file where the artifact root should be");
        FileStore store = new FileStore(dir.resolve("server-store"));
        try (EmbeddedServer server = EmbeddedServer.startWithoutArtifacts(store, InetAddress.getLoopbackAddress(),
                0, null, notAFolder)) {
            Cli.Run sweep = run("sweep", spec.toString(), "--out", dir.resolve("out").toString(), "--tracking-uri",
                    server.uri(), "--master", "local[2]");
            assertEquals(0, sweep.code(), sweep.out() + sweep.err());
            assertFalse((sweep.out() + sweep.err()).contains("\tat io.rnnsweep"), "no stack trace: " + sweep.err());
            List<FileStore.Run> runs = runs(store);
            assertEquals(5, runs.size());
            for (FileStore.Run r : runs) {
                assertEquals(RunStatus.FINISHED, r.info().status(), "an artifact fault fails no run: "
                        + r.info().runName());
                assertTrue(r.tags().containsKey("rnnsweep.artifacts_missing"), r.tags().toString());
            }
            assertTrue(Files.exists(dir.resolve("out").resolve("report.html")), "the output folder has the report");
        }
    }
}
