package io.rnnsweep.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.execution.ConsoleProgress;
import io.rnnsweep.execution.SweepController;
import io.rnnsweep.execution.SweepResult;
import io.rnnsweep.execution.TrialOutcome;
import io.rnnsweep.spec.SpecLoader;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.tracking.EmbeddedServer;
import io.rnnsweep.tracking.FileStore;
import io.rnnsweep.tracking.RunStatus;
import io.rnnsweep.tracking.SweepRun;
import io.rnnsweep.tracking.SweepTracking;
import io.rnnsweep.tracking.TrackingLocation;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.TrialStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sweeps on Spark local[2] tracked in MLflow through mlflow-client and the embedded server. */
class TrackedSweepTest {
    @TempDir
    Path dir;

    private static SweepSpec spec(String name, int epochs) {
        return SpecLoader.parse(name + ".yaml", """
                name: %s
                task: sine
                objective: {metric: test_mse, mode: min}
                space:
                  hidden: [4, 6, 8]
                fixed: {epochs: %d}
                execution: {max_concurrent: 2, retries: 1}
                """.formatted(name, epochs));
    }

    private static SweepResult run(SweepSpec spec, SweepRun tracking, Integer faultyTrial) throws Exception {
        try (SparkTrialExecutor executor = SparkTrialExecutor.start("local[2]", spec.name(), 1,
                spec.execution().retries(), spec.execution().mode())) {
            if (faultyTrial != null) {
                executor.injectFirstAttemptFault(faultyTrial, 2);
            }
            return new SweepController(spec, executor, 2, null, List.of(
                    new ConsoleProgress(spec, new PrintWriter(new StringWriter())), new SweepTracking(spec, tracking)))
                    .run();
        }
    }

    /** Starts tracking a sweep into an embedded store in the test's folder. */
    private SweepRun embedded(SweepSpec spec) {
        return SweepRun.start(TrackingLocation.resolve(dir.resolve("mlruns").toString(), Optional.empty(), Map.of()),
                InetAddress.getLoopbackAddress(), spec.name(), spec.name(), Map.of(), Map.of());
    }

    /** Asserts one child run per trial, each terminal, with exactly one point per epoch of every metric. */
    private static void assertEveryPointOnce(FileStore store, SweepRun tracking, SweepResult result) {
        List<FileStore.Run> children = store.searchRuns(List.of(tracking.experimentId()),
                Map.of("mlflow.parentRunId", tracking.parentRunId()));
        assertEquals(result.outcomes().size(), children.size(), "one run per trial");
        for (TrialOutcome o : result.outcomes()) {
            List<FileStore.Run> mine = children.stream()
                    .filter(r -> r.tags().get("rnnsweep.trial_index").equals(Integer.toString(o.index()))).toList();
            assertEquals(1, mine.size(), "trial " + o.index());
            FileStore.Run run = mine.get(0);
            assertEquals(RunStatus.of(o.status()), run.info().status());
            assertTrue(run.info().status().terminal());
            for (String metric : List.of("train_loss", "test_mse", "grad_norm_mean", "clip_rate", "epoch_seconds")) {
                List<Long> steps = store.metricHistory(run.info().runId(), metric).stream()
                        .map(FileStore.Metric::step).toList();
                assertEquals(o.epochs().stream().map(e -> (long) e.epoch()).toList(), steps,
                        "trial " + o.index() + " metric " + metric + ": every epoch once, in order");
            }
            EpochResult last = o.epochs().get(o.epochs().size() - 1);
            assertEquals(last.metric("test_mse"), store.metricHistory(run.info().runId(), "test_mse")
                    .get(o.epochs().size() - 1).value(), 1e-12);
        }
    }

    @Test
    void aTrialWhoseFirstAttemptDiesIsRetriedIntoItsOneRunWithoutDoubledPoints() throws Exception {
        SweepSpec spec = spec("retried", 4);
        SweepResult result;
        FileStore store;
        SweepRun tracking;
        try (SweepRun t = embedded(spec)) {
            tracking = t;
            store = t.server().orElseThrow().store();
            result = run(spec, t, 1);
            t.finish(Map.of(), List.of(), RunStatus.FINISHED, dir.resolve("unsent.jsonl"));
        }
        assertEquals(3, result.count(TrialStatus.FINISHED), result.outcomes().toString());
        // Each trial's executor (the retry's, for trial 1) ended its run: the driver read none of them back, and
        // every run is terminal with every point.
        assertTrue(result.outcomes().stream().allMatch(TrialOutcome::runEnded), result.outcomes().toString());
        assertEveryPointOnce(store, tracking, result);
        FileStore.Run retried = store.searchRuns(List.of(tracking.experimentId()),
                Map.of("rnnsweep.trial_index", "1")).get(0);
        assertEquals("2", retried.tags().get("rnnsweep.attempts"), "the retried task found and continued its run");
        assertEquals("1", store.searchRuns(List.of(tracking.experimentId()), Map.of("rnnsweep.trial_index", "0"))
                .get(0).tags().get("rnnsweep.attempts"));
        assertTrue(Files.isRegularFile(store.root().resolve(tracking.experimentId()).resolve(retried.info().runId())
                .resolve("artifacts/learning_curve.png")));
        assertEquals(RunStatus.FINISHED, store.run(tracking.parentRunId()).info().status());
    }

    @Test
    void theServerStoppedForSecondsMidSweepLosesNoMetricPoint() throws Exception {
        SweepSpec spec = spec("outage", 12);
        SweepResult result;
        FileStore store;
        SweepRun tracking;
        try (SweepRun t = embedded(spec)) {
            tracking = t;
            EmbeddedServer server = t.server().orElseThrow();
            store = server.store();
            Thread outage = new Thread(() -> {
                try {
                    // Wait for the first epoch point of any trial, then stop answering for 4 seconds.
                    while (store.searchRuns(List.of(t.experimentId()), Map.of("mlflow.parentRunId", t.parentRunId()))
                            .stream().noneMatch(r -> !r.latest().isEmpty())) {
                        Thread.sleep(50);
                    }
                    server.pause();
                    Thread.sleep(4_000);
                    server.resume();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            outage.start();
            result = run(spec, t, null);
            outage.join();
            assertEquals(0, t.finish(Map.of("best_test_mse", 0.1), List.of(), RunStatus.FINISHED, dir.resolve("unsent.jsonl")), "nothing unsent");
        }
        assertEquals(3, result.count(TrialStatus.FINISHED), result.outcomes().toString());
        assertEveryPointOnce(store, tracking, result);
    }

    @Test
    void credentialsReachTheServerButNeverTheStoreOrTheOutput() throws Exception {
        String token = "tok-" + "9f3c1e7a55d04b2b";
        SweepSpec spec = spec("secret", 2);
        Path storeDir = dir.resolve("server-store");
        try (EmbeddedServer server = EmbeddedServer.start(new FileStore(storeDir), InetAddress.getLoopbackAddress(),
                0, token)) {
            TrackingLocation location = TrackingLocation.resolve(server.uri(), Optional.empty(),
                    Map.of("MLFLOW_TRACKING_TOKEN", token));
            SweepResult result;
            try (SweepRun t = SweepRun.start(location, InetAddress.getLoopbackAddress(), spec.name(), spec.name(),
                    Map.of(), Map.of())) {
                assertFalse(t.display().contains(token), t.display());
                result = run(spec, t, null);
                t.finish(Map.of(), List.of(), RunStatus.FINISHED, dir.resolve("unsent.jsonl"));
            }
            assertEquals(3, result.count(TrialStatus.FINISHED));
            result.write(dir.resolve("out"));
            assertEquals(4, server.store().searchRuns(List.of(server.store().experimentByName("secret").orElseThrow()
                    .id()), Map.of()).size(), "parent and three trials reached the authenticated server");
        }
        for (Path root : List.of(storeDir, dir.resolve("out"))) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertFalse(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(token),
                            "the token leaked into " + f);
                }
            }
        }
    }
}
