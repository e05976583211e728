package io.rnnsweep.cli;

import static io.rnnsweep.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;


    /** Returns a loopback port nothing listens on (one the system just handed out and took back). */
    private static int closedPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void tasksListsTheSixDocumentedTasksOneLineEach() {
        Cli.Run r = run("tasks");
        assertEquals(0, r.code());
        String[] lines = r.out().strip().split("\n");
        assertEquals(6, lines.length, r.out());
        String[] names = {"srn", "binary-addition", "hello", "antonyms", "sine", "timemachine"};
        for (int i = 0; i < names.length; i++) {
            assertTrue(lines[i].startsWith(names[i] + " "), lines[i]);
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] args : new String[][] {{"--help"}, {"tasks", "--help"}, {"train", "--help"}, {"validate", "--help"}, {"sweep", "--help"}, {"report", "--help"}}) {
            Cli.Run r = run(args);
            assertEquals(0, r.code());
            assertTrue(r.out().contains("Usage: rnnsweep"), r.out());
        }
        assertTrue(run("train", "--help").out().contains("--clip=X|none"));
    }

    @Test
    void trainPrintsItsBlasOneLinePerEpochAndASummary() {
        Cli.Run r = run("train", "--task", "hello", "--epochs", "4", "--seed", "1");
        assertEquals(0, r.code(), r.err());
        assertEquals(4, r.out().lines().filter(l -> l.startsWith("epoch ")).count(), r.out());
        assertTrue(r.out().contains("status FINISHED after epoch 4 of 4"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("blas: bundled (/")), r.out());
        assertTrue(r.out().contains("predicted: hello -> "), r.out());
    }

    @Test
    void srnPrintsTheSeedValues() {
        Cli.Run r = run("train", "--task", "srn");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("step 1 = 4.0 step 2 = 12.0 step 3 = 32.0"), r.out());
    }

    @Test
    void badInputExitsTwoNamingTheOptionTheValueAndWhatIsAllowed() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        Path digits = Files.writeString(dir.resolve("digits.txt"), "12345 67890");
        Path checkpoint = dir.resolve("never.ckpt");
        String[][] cases = {
            {"task", "gru-lm", "--task", "gru-lm"},
            {"hidden", "0", "--task", "hello", "--hidden", "0"},
            {"layers", "-1", "--task", "hello", "--layers", "-1"},
            {"lr", "0", "--task", "timemachine", "--lr", "0"},
            {"epochs", "0", "--task", "sine", "--epochs", "0"},
            {"batch", "0", "--task", "timemachine", "--batch", "0"},
            {"batch", "7", "--task", "antonyms", "--batch", "7"},
            {"clip", "-1", "--task", "timemachine", "--clip", "-1"},
            {"cell", "transformer", "--task", "timemachine", "--cell", "transformer"},
            {"optimizer", "rmsprop", "--task", "hello", "--optimizer", "rmsprop"},
            {"corpus", "missing.txt", "--task", "timemachine", "--corpus", dir.resolve("missing.txt").toString()},
            {"corpus", "empty.txt", "--task", "timemachine", "--corpus", empty.toString()},
            {"corpus", "digits.txt", "--task", "timemachine", "--corpus", digits.toString()},
            {"corpus", "x.txt", "--task", "hello", "--corpus", "x.txt"},
            {"seq-len", "100000", "--task", "timemachine", "--seq-len", "100000"},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length - 2 + 3];
            args[0] = "train";
            System.arraycopy(c, 2, args, 1, c.length - 2);
            args[c.length - 1] = "--checkpoint";
            args[c.length] = checkpoint.toString();
            Cli.Run r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + "\n" + r.out() + r.err());
            assertTrue(r.err().contains("'" + c[0] + "'") && r.err().contains(c[1]) && r.err().contains("allowed"),
                    String.join(" ", args) + " -> " + r.err());
            assertFalse(r.out().contains("epoch "), "nothing trained: " + r.out());
            assertFalse(Files.exists(checkpoint), "nothing written");
        }
    }

    @Test
    void resumingFromAFileThatIsNotACheckpointExitsTwo() throws IOException {
        Path notCheckpoint = Files.writeString(dir.resolve("notes.txt"), "hello");
        Cli.Run r = run("train", "--task", "hello", "--resume", notCheckpoint.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("'resume'") && r.err().contains("not an rnnsweep checkpoint"), r.err());
    }

    @Test
    void validateAcceptsAShippedSpecAndListsItsTrials() {
        Path spec = Path.of(System.getProperty("rnnsweep.repo", ".")).resolve("conf/hello.yaml");
        Cli.Run r = run("validate", "--trials", spec.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("sweep hello-grid: task hello, objective min val_loss, grid search, 12 trials"), r.out());
        assertEquals(12, r.out().lines().filter(l -> l.startsWith("  trial ")).count(), r.out());
    }

    @Test
    void validateRejectsABadSpecWithExitTwoNamingTheField() throws IOException {
        Path spec = Files.writeString(dir.resolve("bad.yaml"),
                "name: s\ntask: hello\nobjective: {metric: val_loss, mode: min}\nspace: {hidden: [0]}\n");
        Cli.Run r = run("validate", spec.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("invalid value for field 'space.hidden': '0'"), r.err());
        assertFalse(r.out().contains("valid"), r.out());
    }

    @Test
    void sweepDryRunPrintsTheTrialsAndStartsNothing() {
        Path spec = Path.of(System.getProperty("rnnsweep.repo", ".")).resolve("conf/hello.yaml");
        Path out = dir.resolve("dry");
        Cli.Run r = run("sweep", spec.toString(), "--dry-run", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(12, r.out().lines().filter(l -> l.startsWith("  hello-grid/trial-")).count(), r.out());
        assertFalse(Files.exists(out));
    }

    @Test
    void sweepWithABadSpecOrANonEmptyOutputFolderExitsTwoAndWritesNothing() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.yaml"),
                "name: s\ntask: hello\nobjective: {metric: val_loss, mode: min}\nspace: {hidden: [8]}\n"
                        + "execution: {max_concurrent: 0}\n");
        Path out = dir.resolve("out");
        Cli.Run r = run("sweep", bad.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'execution.max_concurrent': '0'"), r.err());
        assertFalse(Files.exists(out));

        Path dataParallel = Files.writeString(dir.resolve("dp.yaml"),
                "name: s\ntask: antonyms\nobjective: {metric: val_loss, mode: min}\nspace: {hidden: [8]}\n"
                        + "execution: {mode: data-parallel}\n");
        r = run("sweep", dataParallel.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'execution.mode': 'data-parallel'"), r.err());
        assertFalse(Files.exists(out));

        Path spec = Path.of(System.getProperty("rnnsweep.repo", ".")).resolve("conf/hello.yaml");
        Path used = Files.createDirectories(dir.resolve("used"));
        Path keep = Files.writeString(used.resolve("keep.txt"), "mine");
        r = run("sweep", spec.toString(), "--out", used.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'out'"), r.err());
        assertEquals("mine", Files.readString(keep));
        assertEquals(1, Files.list(used).count());
    }

    @Test
    void sweepWithABadHeatmapTrackingUriOrUnreachableServerExitsTwoBeforeAnyTrialRuns() throws IOException {
        Path spec = Path.of(System.getProperty("rnnsweep.repo", ".")).resolve("conf/hello.yaml");
        Path out = dir.resolve("tracked-out");
        Cli.Run r = run("sweep", spec.toString(), "--out", out.toString(), "--heatmap", "lr,batch");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'heatmap': 'lr,batch'") && r.err().contains("hidden, layers, lr"), r.err());
        r = run("sweep", spec.toString(), "--out", out.toString(), "--tracking-uri", "ftp://host/runs");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'tracking-uri': 'ftp://host/runs'") && r.err().contains("http(s)://"), r.err());
        assertFalse(Files.exists(out));

        int port = closedPort();
        long t0 = System.nanoTime();
        r = run("sweep", spec.toString(), "--out", out.toString(), "--tracking-uri", "http://127.0.0.1:" + port);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("tracking server http://127.0.0.1:" + port + " unreachable"), r.err());
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "refused within the start patience");
        assertFalse(Files.exists(out));
        assertFalse(r.out().contains("done"), "no trial ran: " + r.out());
    }

    @Test
    void sweepLogsEveryTrialAsAChildRunOfTheSweepInTheEmbeddedStore() throws IOException {
        Path spec = Files.writeString(dir.resolve("tiny.yaml"), """
                name: tiny
                task: hello
                objective: {metric: val_loss, mode: min}
                space: {hidden: [4, 8]}
                fixed: {epochs: 3}
                """);
        Path store = dir.resolve("mlruns");
        Path out = dir.resolve("tiny-out");
        Cli.Run r = run("sweep", spec.toString(), "--out", out.toString(), "--tracking-uri", "file:" + store,
                "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("tracking: experiment tiny"), r.out());
        io.rnnsweep.tracking.FileStore files = new io.rnnsweep.tracking.FileStore(store);
        String experiment = files.experimentByName("tiny").orElseThrow().id();
        java.util.List<io.rnnsweep.tracking.FileStore.Run> runs = files.searchRuns(java.util.List.of(experiment),
                java.util.Map.of());
        assertEquals(3, runs.size(), "a parent and two trials");
        io.rnnsweep.tracking.FileStore.Run parent = runs.stream()
                .filter(x -> !x.tags().containsKey("mlflow.parentRunId")).findFirst().orElseThrow();
        assertEquals("tiny", parent.info().runName());
        assertEquals(io.rnnsweep.tracking.RunStatus.FINISHED, parent.info().status());
        assertEquals("3", parent.params().get("epochs"));
        assertTrue(parent.tags().get("rnnsweep.spec").contains("name: tiny"), parent.tags().toString());
        assertTrue(parent.latest().stream().anyMatch(m -> m.key().equals("best_val_loss")), parent.latest().toString());
        for (String artifact : java.util.List.of("leaderboard.csv", "summary.json", "trials.csv", "spec.yaml")) {
            assertTrue(Files.isRegularFile(store.resolve(experiment).resolve(parent.info().runId())
                    .resolve("artifacts").resolve(artifact)), artifact);
        }
        assertTrue(Files.isRegularFile(out.resolve("report.html")), "the sweep wrote its report");
        assertFalse(Files.exists(out.resolve("checkpoints")),
                "the trials' checkpoints stored on the way are gone, and so is their empty folder");
        for (var run : runs) {
            if (run != parent) {
                assertTrue(Files.isRegularFile(store.resolve(experiment).resolve(run.info().runId())
                        .resolve("artifacts/learning_curve.png")), "drawn off the trial's thread, stored before the"
                        + " sweep ended: " + run.info().runName());
            }
        }
        assertTrue(Files.isRegularFile(store.resolve(experiment).resolve(parent.info().runId())
                .resolve("artifacts/report.html")), "and logged it to the parent run");

        Files.delete(out.resolve("report.html"));
        Cli.Run again = run("report", out.toString(), "--heatmap", "hidden,hidden");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("'heatmap': 'hidden,hidden'"), again.err());
        again = run("report", dir.resolve("nowhere").toString());
        assertEquals(2, again.code());
        again = run("report", out.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().startsWith("report for sweep tiny: "), again.out());
        assertTrue(Files.isRegularFile(out.resolve("report.html")), "report rebuilds it from the folder");

        io.rnnsweep.report.SweepData stored = io.rnnsweep.tracking.StoredSweep.load(new io.rnnsweep.tracking
                .TrackingLocation(java.util.Optional.empty(), store, "store"), "tiny").orElseThrow();
        io.rnnsweep.report.SweepData written = io.rnnsweep.report.SweepData.load(out);
        assertEquals(java.util.List.of("hidden"), stored.axes(), "the swept axis, told from the fixed params");
        assertEquals("val_loss", stored.metric());
        assertEquals(written.trials().size(), stored.trials().size());
        for (int i = 0; i < written.trials().size(); i++) {
            assertEquals(written.trials().get(i).options(), stored.trials().get(i).options());
            assertEquals(written.objective(written.trials().get(i)), stored.objective(stored.trials().get(i)), 1e-12,
                    "the store holds the same epochs as trials.csv");
        }
        Path fromStore = dir.resolve("from-store");
        again = run("report", "--sweep", "tiny", "--store", store.toString(), fromStore.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(Files.isRegularFile(fromStore.resolve("report.html")));
        again = run("report", "--sweep", "nope", "--store", store.toString(), fromStore.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("'sweep': 'nope'"), again.err());
        for (var child : runs) {
            if (child != parent) {
                assertEquals(parent.info().runId(), child.tags().get("mlflow.parentRunId"));
                assertTrue(child.info().runName().startsWith("hello-rnn-h"), child.info().runName());
                assertEquals(io.rnnsweep.tracking.RunStatus.FINISHED, child.info().status());
                assertTrue(java.util.Set.of("4", "8").contains(child.params().get("hidden")), child.params().toString());
            }
        }
    }

    @Test
    void sweepRefusesAMasterItCannotUseBeforeAnythingStarts() throws IOException {
        Path spec = Path.of(System.getProperty("rnnsweep.repo", ".")).resolve("conf/hello.yaml");
        Path out = dir.resolve("out");
        Path store = dir.resolve("mlruns");
        Cli.Run r = run("sweep", spec.toString(), "--out", out.toString(), "--tracking-uri", store.toString(),
                "--master", "bogus");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("'master': 'bogus'") && r.err().contains("spark://HOST:PORT"), r.err());
        String master = "spark://127.0.0.1:" + closedPort();
        long t0 = System.nanoTime();
        r = run("sweep", spec.toString(), "--out", out.toString(), "--tracking-uri", store.toString(),
                "--master", master);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("nothing listens at 127.0.0.1:"), r.err());
        assertTrue((System.nanoTime() - t0) / 1e9 < 10, "refused in seconds, not minutes");
        assertFalse(Files.exists(out), "no output folder");
        assertFalse(Files.exists(store), "no run");
    }

    @Test
    void sweepRefusesResourcesTheMasterCannotGiveBeforeAnythingStarts() throws IOException {
        Path out = dir.resolve("out");
        Path store = dir.resolve("mlruns");
        String head = "name: s\ntask: hello\nobjective: {metric: val_loss, mode: min}\nspace: {hidden: [8]}\n";
        Path cores = Files.writeString(dir.resolve("cores.yaml"), head + "execution: {cpus_per_trial: 3}\n");
        Cli.Run r = run("sweep", cores.toString(), "--out", out.toString(), "--tracking-uri", store.toString(),
                "--master", "local[2]");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("'execution.cpus_per_trial': '3'") && r.err().contains("at most 2"), r.err());
        Path gpus = Files.writeString(dir.resolve("gpus.yaml"), head + "execution: {gpus_per_trial: 1}\n");
        r = run("sweep", gpus.toString(), "--out", out.toString(), "--tracking-uri", store.toString(),
                "--master", "local[2]");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("'execution.gpus_per_trial': '1'") && r.err().contains("-Pcuda"), r.err());
        assertFalse(Files.exists(out), "no output folder");
        assertFalse(Files.exists(store), "no run");
    }

    @Test
    void aCheckpointFolderNobodyAnswersForIsRefusedBeforeAnythingStarts() throws IOException {
        Path out = dir.resolve("out");
        Path store = dir.resolve("mlruns");
        String ftp = "ftp://127.0.0.1:" + closedPort() + "/checkpoints";
        Path spec = Files.writeString(dir.resolve("ftp.yaml"), "name: s\ntask: hello\n"
                + "objective: {metric: val_loss, mode: min}\nspace: {hidden: [8]}\n"
                + "scheduler: {algorithm: asha, max_epochs: 3, checkpoint_dir: '" + ftp + "'}\n");
        long t0 = System.nanoTime();
        Cli.Run r = run("sweep", spec.toString(), "--out", out.toString(), "--tracking-uri", store.toString(),
                "--master", "local[2]");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("'scheduler.checkpoint_dir'") && r.err().contains("can reach and write"),
                r.err());
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "refused within the probe's patience");
        assertFalse(Files.exists(out), "no output folder");
        assertFalse(Files.exists(store), "no run");
    }

    @Test
    void pathsThatCannotBeWrittenAreRefusedBeforeTraining() throws IOException {
        // /proc takes no new files, whoever asks (root too).
        Path spec = Path.of(System.getProperty("rnnsweep.repo", ".")).resolve("conf/hello.yaml");
        Path store = dir.resolve("mlruns");
        Cli.Run r = run("sweep", spec.toString(), "--out", "/proc/rnnsweep-out", "--tracking-uri", store.toString(),
                "--master", "local[2]");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("'out': '/proc/rnnsweep-out'") && r.err().contains("can write"), r.err());
        assertFalse(Files.exists(store), "no run");
        Path file = Files.writeString(dir.resolve("file.txt"), "x");
        r = run("sweep", spec.toString(), "--out", file.resolve("sub").toString(), "--tracking-uri", store.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("is a file"), r.err());
        for (String option : new String[] {"--checkpoint", "--csv"}) {
            r = run("train", "--task", "hello", option, "/proc/rnnsweep/x");
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("'" + option.substring(2) + "': '/proc/rnnsweep/x'"), r.err());
            assertFalse(r.out().contains("epoch "), "nothing trained: " + r.out());
        }
    }

    @Test
    void unknownOptionIsAUsageErrorWithExitTwo() {
        Cli.Run r = run("train", "--task", "hello", "--hiden", "8");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--hiden"), r.err());
    }

    @Test
    void serveAnswersMlflowsRestApiOverASweepStoreUntilStoppedAndRefusesBadInput() throws Exception {
        Path spec = Files.writeString(dir.resolve("tiny.yaml"), "name: served\ntask: hello\n"
                + "objective: {metric: val_loss, mode: min}\nspace: {hidden: [4, 8]}\nfixed: {epochs: 2}\n");
        Path store = dir.resolve("mlruns");
        Cli.Run swept = run("sweep", spec.toString(), "--out", dir.resolve("out").toString(), "--tracking-uri",
                store.toString(), "--master", "local[2]");
        assertEquals(0, swept.code(), swept.err());
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Path.of(System.getProperty("rnnsweep.repo"), "jobs", "jvm.options"), "-cp",
                System.getProperty("java.class.path"), "io.rnnsweep.cli.Main", "serve", "--store", store.toString(),
                "--port", "0").redirectErrorStream(true).start();
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream()))
                    .readLine();
            assertTrue(line != null && line.startsWith("serving " + store.toAbsolutePath().normalize() + " at http://"),
                    String.valueOf(line));
            String uri = line.substring(line.indexOf(" at ") + 4, line.indexOf(" (MLflow"));
            java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(uri + "/api/2.0/mlflow/experiments/search"))
                            .header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"max_results\": 10}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            assertTrue(answer.body().contains("\"name\":\"served\""), answer.body());
        } finally {
            server.destroy(); // SIGTERM: it stops serving and exits
            assertTrue(server.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the server exits when stopped");
        }
        Cli.Run noStore = run("serve", "--store", dir.resolve("nope").toString());
        assertEquals(2, noStore.code());
        assertTrue(noStore.err().contains("'store'") && noStore.err().contains("an existing folder"), noStore.err());
        Cli.Run badPort = run("serve", "--store", store.toString(), "--port", "70000");
        assertEquals(2, badPort.code());
        assertTrue(badPort.err().contains("'port': '70000'"), badPort.err());
    }
}
