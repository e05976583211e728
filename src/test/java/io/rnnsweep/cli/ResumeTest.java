package io.rnnsweep.cli;

import static io.rnnsweep.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.tracking.FileStore;
import io.rnnsweep.tracking.RunStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sweep whose driver JVM is killed with SIGKILL, then taken up again with {@code sweep --resume}. */
class ResumeTest {
    private static final String SPEC = """
            name: resume-asha
            task: sine
            objective: {metric: test_mse, mode: min}
            space:
              hidden: [4, 8, 16]
              lr: [0.001, 0.003, 0.01]
            scheduler: {algorithm: asha, max_epochs: 27, grace_epochs: 1, reduction_factor: 3}
            execution: {max_concurrent: 1}
            """;

    @TempDir
    Path dir;


    /** Starts {@code rnnsweep sweep SPEC} on local[2] in a JVM of its own, as the launcher would; output to driver.log. */
    private Process startDriver(Path spec, Path out, Path mlruns) throws IOException {
        return startDriver(spec, mlruns, "--out", out.toString());
    }

    /** Starts {@code rnnsweep sweep SPEC ARGS} on local[2] in a JVM of its own; output appended to driver.log. */
    private Process startDriver(Path spec, Path mlruns, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "@" + Path.of(System.getProperty("rnnsweep.repo"), "jobs", "jvm.options"),
                "-cp", System.getProperty("java.class.path"), "io.rnnsweep.cli.Main", "sweep", spec.toString(),
                "--tracking-uri", mlruns.toString(), "--master", "local[2]"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("driver.log").toFile())).start();
    }

    /** Whether a trial's run is running a segment past its rung, with a checkpoint stored on the way there. */
    private static boolean pastItsRung(FileStore.Run r) {
        return r.info().status() == RunStatus.RUNNING
                && Integer.parseInt(r.tags().getOrDefault("rnnsweep.checkpoint_epoch", "0"))
                > Integer.parseInt(r.tags().getOrDefault("rnnsweep.rung", "0"))
                && r.tags().containsKey("rnnsweep.rung");
    }

    /** The trial runs of the store's one sweep, and its parent runs. */
    private static List<FileStore.Run> runs(FileStore store) {
        return runs(store, "resume-asha");
    }

    /** The trial runs and parent runs of a sweep in the store. */
    private static List<FileStore.Run> runs(FileStore store, String sweep) {
        List<String> experiments = store.experiments().stream().map(FileStore.Experiment::id).toList();
        return store.searchRuns(experiments, Map.of("rnnsweep.sweep", sweep));
    }

    /** The trial runs of a sweep while a driver writes them; empty when a read met a file being replaced. */
    private static List<FileStore.Run> polled(FileStore store, String sweep) {
        try {
            return Files.exists(store.root()) ? runs(store, sweep).stream().filter(ResumeTest::isTrial).toList()
                    : List.of();
        } catch (java.io.UncheckedIOException e) {
            return List.of(); // the driver renamed a file under the read: look again
        }
    }

    /** Waits (3 minutes at most) until the running driver's trial runs of a sweep are as {@code ready} asks. */
    private void awaitTrials(Process driver, FileStore store, String sweep,
                             java.util.function.Predicate<List<FileStore.Run>> ready) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!ready.test(polled(store, sweep))) {
            assertTrue(driver.isAlive(), "the sweep ended before it could be stopped: " + Files.readString(
                    dir.resolve("driver.log")));
            assertTrue(System.nanoTime() < deadline, "the trials did not get there within 3 minutes");
            Thread.sleep(50);
        }
    }

    private static boolean isTrial(FileStore.Run r) {
        return r.tags().containsKey("mlflow.parentRunId");
    }

    /** Every file of a run's folder (meta.yaml, metrics, params, tags), by path, as bytes. */
    private static Map<Path, String> files(FileStore store, FileStore.Run r) throws IOException {
        Path runDir = store.root().resolve(r.info().experimentId()).resolve(r.info().runId());
        Map<Path, String> out = new HashMap<>();
        try (Stream<Path> all = Files.walk(runDir)) {
            for (Path f : all.filter(Files::isRegularFile).filter(f -> !f.toString().contains("/artifacts/"))
                    .toList()) {
                out.put(runDir.relativize(f), Files.readString(f));
            }
        }
        return out;
    }

    @Test
    void aSweepKilledWithSigkillTwiceResumesToTheLeaderboardOfAnUninterruptedOne() throws Exception {
        Path spec = Files.writeString(dir.resolve("resume.yaml"), SPEC);
        Path out = dir.resolve("out");
        Path mlruns = dir.resolve("mlruns");
        Process driver = startDriver(spec, out, mlruns);
        FileStore store = new FileStore(mlruns);
        // Kill the driver while a promoted trial trains between two rungs, past a checkpoint it stored on the way.
        awaitTrials(driver, store, "resume-asha", trials -> trials.stream().anyMatch(ResumeTest::pastItsRung));
        driver.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertTrue(driver.waitFor(30, TimeUnit.SECONDS));
        // Resume it in a driver of its own, and kill that one too once two trials have ended and one waits at a
        // rung: ended, paused and running trials.
        driver = startDriver(spec, mlruns, "--resume");
        awaitTrials(driver, store, "resume-asha", trials -> trials.stream()
                .filter(r -> r.info().status() != RunStatus.RUNNING).count() >= 2
                && trials.stream().anyMatch(r -> "PAUSED".equals(r.tags().get("rnnsweep.status"))));
        driver.destroyForcibly();
        assertTrue(driver.waitFor(30, TimeUnit.SECONDS));
        String firstResume = Files.readString(dir.resolve("driver.log"));
        assertTrue(firstResume.matches("(?s).*resuming sweep resume-asha: \\d+ trials kept, [1-9]\\d* continued from"
                + " checkpoints, \\d+ restarted, \\d+ new.*"), firstResume);
        Map<String, Map<Path, String>> endedBefore = new HashMap<>();
        for (FileStore.Run r : runs(store)) {
            if (isTrial(r) && r.info().status() != RunStatus.RUNNING) {
                endedBefore.put(r.info().runId(), files(store, r));
            }
        }
        assertTrue(runs(store).stream().anyMatch(r -> r.info().status() == RunStatus.RUNNING),
                "the dead driver left runs RUNNING");

        // A new sweep of that name says there is one to resume (and runs anyway; not here: --dry-run starts nothing).
        long t0 = System.nanoTime();
        Cli.Run resumed = run("sweep", spec.toString(), "--resume", "--tracking-uri", mlruns.toString(),
                "--master", "local[2]");
        double resumeSeconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("resuming sweep resume-asha: "), resumed.out());
        System.out.printf("resume: %.1f s, %s%n", resumeSeconds, resumed.out().lines()
                .filter(l -> l.startsWith("resuming")).findFirst().orElse(""));

        List<FileStore.Run> after = runs(store);
        assertEquals(1, after.stream().filter(r -> !isTrial(r)).count(), "one parent run");
        List<FileStore.Run> trials = after.stream().filter(ResumeTest::isTrial).toList();
        assertEquals(9, trials.size(), "one run per trial");
        assertEquals(9, trials.stream().map(r -> r.tags().get("rnnsweep.trial_index")).distinct().count());
        for (FileStore.Run r : after) {
            assertNotEquals(RunStatus.RUNNING, r.info().status(), "no run left RUNNING: " + r.info().runName());
        }
        for (Map.Entry<String, Map<Path, String>> e : endedBefore.entrySet()) {
            FileStore.Run r = trials.stream().filter(t -> t.info().runId().equals(e.getKey())).findFirst()
                    .orElseThrow();
            assertEquals(e.getValue(), files(store, r), "a trial that had ended is untouched: " + r.info().runName());
        }
        for (FileStore.Run r : trials) {
            List<Long> steps = store.metricHistory(r.info().runId(), "test_mse").stream().map(FileStore.Metric::step)
                    .toList();
            for (int e = 0; e < steps.size(); e++) {
                assertEquals(e + 1, steps.get(e), "every epoch logged once, in order: " + r.info().runName());
            }
        }

        // The same sweep, never interrupted: the same leaderboard.
        Path whole = dir.resolve("whole");
        Cli.Run uninterrupted = run("sweep", spec.toString(), "--out", whole.toString(), "--tracking-uri",
                dir.resolve("mlruns-whole").toString(), "--master", "local[2]");
        assertEquals(0, uninterrupted.code(), uninterrupted.err());
        assertEquals(board(whole), board(out));
    }

    /** The leaderboard's rows without wall-clock columns. */
    private static List<String> board(Path sweep) throws IOException {
        List<String> lines = Files.readAllLines(sweep.resolve("leaderboard.csv"));
        List<String> header = List.of(lines.get(0).split(","));
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String[] cells = line.split(",", -1);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                String h = i < header.size() ? header.get(i) : "";
                if (!h.contains("seconds") && !h.contains("host") && !h.equals("pid")) {
                    b.append(cells[i]).append(',');
                }
            }
            out.add(b.toString());
        }
        return out;
    }

    @Test
    void resumeWithNothingToResumeATrialsRunAFinishedSweepOrAnotherSpecExitsTwo() throws Exception {
        String hello = "name: resume-bad\ntask: hello\nobjective: {metric: val_loss, mode: min}\n"
                + "space: {hidden: [4, 8]}\nfixed: {epochs: 2}\n";
        Path spec = Files.writeString(dir.resolve("hello.yaml"), hello);
        Path mlruns = dir.resolve("mlruns");
        Cli.Run r = run("sweep", spec.toString(), "--resume", "--tracking-uri", mlruns.toString(), "--master", "local[2]");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("'resume'") && r.err().contains("does not hold"), r.err());

        Cli.Run done = run("sweep", spec.toString(), "--out", dir.resolve("out").toString(), "--tracking-uri",
                mlruns.toString(), "--master", "local[2]");
        assertEquals(0, done.code(), done.err());
        FileStore store = new FileStore(mlruns);
        List<String> experiments = store.experiments().stream().map(FileStore.Experiment::id).toList();
        List<FileStore.Run> all = store.searchRuns(experiments, Map.of("rnnsweep.sweep", "resume-bad"));
        String parent = all.stream().filter(x -> !isTrial(x)).findFirst().orElseThrow().info().runId();
        String child = all.stream().filter(ResumeTest::isTrial).findFirst().orElseThrow().info().runId();
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("", "an unfinished sweep named resume-bad");
        cases.put(parent, "this one finished (extend it with --add-trials)");
        cases.put(child, "this is the run of a trial of sweep run " + parent);
        cases.put("0123456789abcdef", "holds no run of that id");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            r = c.getKey().isEmpty()
                    ? run("sweep", spec.toString(), "--resume", "--tracking-uri", mlruns.toString())
                    : run("sweep", spec.toString(), "--resume", c.getKey(), "--tracking-uri", mlruns.toString());
            assertEquals(2, r.code(), c + ": " + r.out() + r.err());
            assertTrue(r.err().contains("'resume'") && r.err().contains(c.getValue()), c + ": " + r.err());
            assertFalse(r.out().contains("resuming"), r.out());
        }
        // A sweep of that name whose driver died, resumed with a spec whose space changed.
        store.updateRun(parent, RunStatus.RUNNING, null, null);
        Path other = Files.writeString(dir.resolve("other.yaml"), hello.replace("[4, 8]", "[4, 16]"));
        r = run("sweep", other.toString(), "--resume", "--tracking-uri", mlruns.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("the stored one has space hidden [4, 8]"), r.err());
        assertEquals(RunStatus.RUNNING, store.run(parent).info().status(), "refused: nothing changed");
        // Without --resume, a new sweep of that name says how to resume the unfinished one, then runs.
        r = run("sweep", spec.toString(), "--out", dir.resolve("again").toString(), "--tracking-uri",
                mlruns.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("note: sweep resume-bad has an unfinished run (parent run " + parent + ")")
                && r.out().contains("--resume " + parent), r.out());
    }

    @Test
    void addTrialsExtendsAFinishedRandomSweepUnderItsParentRunAndIsRefusedForAGrid() throws Exception {
        String random = "name: extend\ntask: hello\nobjective: {metric: val_loss, mode: min}\n"
                + "search: {algorithm: random, trials: 3, seed: 4}\nspace: {hidden: [4, 8, 16], lr: [0.01, 0.05]}\n"
                + "fixed: {epochs: 2}\n";
        Path spec = Files.writeString(dir.resolve("random.yaml"), random);
        Path mlruns = dir.resolve("mlruns");
        Path out = dir.resolve("out");
        Cli.Run first = run("sweep", spec.toString(), "--out", out.toString(), "--tracking-uri", mlruns.toString(),
                "--master", "local[2]");
        assertEquals(0, first.code(), first.err());
        FileStore store = new FileStore(mlruns);
        List<String> experiments = store.experiments().stream().map(FileStore.Experiment::id).toList();
        Map<String, Map<Path, String>> before = new HashMap<>();
        for (FileStore.Run r : store.searchRuns(experiments, Map.of("rnnsweep.sweep", "extend"))) {
            if (isTrial(r)) {
                before.put(r.info().runId(), files(store, r));
            }
        }
        assertEquals(3, before.size());

        Cli.Run more = run("sweep", spec.toString(), "--add-trials", "2", "--tracking-uri", mlruns.toString(),
                "--master", "local[2]");
        assertEquals(0, more.code(), more.out() + more.err());
        assertTrue(more.out().contains("resuming sweep extend: 3 trials kept, 0 continued from checkpoints,"
                + " 0 restarted, 2 new"), more.out());
        List<FileStore.Run> after = store.searchRuns(experiments, Map.of("rnnsweep.sweep", "extend"));
        assertEquals(1, after.stream().filter(r -> !isTrial(r)).count(), "the same parent run");
        List<FileStore.Run> trials = after.stream().filter(ResumeTest::isTrial).toList();
        assertEquals(5, trials.size());
        assertEquals(5, trials.stream().map(r -> r.params().get("hidden") + "/" + r.params().get("lr")).distinct()
                .count(), "five distinct configurations");
        for (Map.Entry<String, Map<Path, String>> e : before.entrySet()) {
            FileStore.Run r = trials.stream().filter(t -> t.info().runId().equals(e.getKey())).findFirst()
                    .orElseThrow();
            assertEquals(e.getValue(), files(store, r), "a kept trial is untouched");
        }
        assertEquals(6, Files.readAllLines(out.resolve("leaderboard.csv")).size(), "the whole sweep's leaderboard");

        Cli.Run tooMany = run("sweep", spec.toString(), "--add-trials", "2", "--tracking-uri", mlruns.toString());
        assertEquals(2, tooMany.code(), tooMany.out() + tooMany.err());
        assertTrue(tooMany.err().contains("'add-trials': '2'") && tooMany.err().contains("at most 1"), tooMany.err());

        Path grid = Files.writeString(dir.resolve("grid.yaml"), random.replace("search: {algorithm: random, trials: 3,"
                + " seed: 4}\n", ""));
        Cli.Run onGrid = run("sweep", grid.toString(), "--add-trials", "2", "--tracking-uri", mlruns.toString());
        assertEquals(2, onGrid.code(), onGrid.out() + onGrid.err());
        assertTrue(onGrid.err().contains("'add-trials': '2'") && onGrid.err().contains("a grid's trials are fixed"),
                onGrid.err());
    }

    @Test
    void aSweepStoppedWithSigtermKeepsEveryEpochInItsOutputFolderEndsKilledAndResumes() throws Exception {
        Path spec = Files.writeString(dir.resolve("fifo.yaml"), """
                name: resume-term
                task: sine
                objective: {metric: test_mse, mode: min}
                space:
                  hidden: [4, 8, 16]
                  lr: [0.003, 0.01]
                fixed: {epochs: 30}
                execution: {max_concurrent: 2}
                """);
        Path out = dir.resolve("out");
        Path mlruns = dir.resolve("mlruns");
        Process driver = startDriver(spec, out, mlruns);
        FileStore store = new FileStore(mlruns);
        // Stop it (SIGTERM, as Ctrl-C or a scheduler would) once a trial has ended and another has trained epochs
        // and stored its checkpoint on the way (execution.checkpoint_every defaults to every epoch), with half its
        // epochs still to train (a trial takes a few seconds: the signal lands while it trains).
        awaitTrials(driver, store, "resume-term", trials -> trials.stream()
                .anyMatch(r -> r.info().status() != RunStatus.RUNNING)
                && trials.stream().anyMatch(r -> r.info().status() == RunStatus.RUNNING
                        && r.tags().containsKey("rnnsweep.checkpoint_epoch")
                        && Integer.parseInt(r.tags().get("rnnsweep.checkpoint_epoch")) <= 15));
        driver.destroy(); // SIGTERM
        assertTrue(driver.waitFor(2, TimeUnit.MINUTES), "the sweep winds down and exits");
        String log = Files.readString(dir.resolve("driver.log"));
        // Spark's own shutdown hook still logs errors of the tasks it stops; no exception of rnnsweep's escapes.
        assertFalse(log.contains("at io.rnnsweep."), "no stack trace of rnnsweep's: " + log);
        assertTrue(Files.exists(out.resolve("report.html")), log);
        List<FileStore.Run> runs = runs(store, "resume-term");
        FileStore.Run parent = runs.stream().filter(r -> !isTrial(r)).findFirst().orElseThrow();
        assertEquals(RunStatus.KILLED, parent.info().status(), "a cancelled sweep's parent run is KILLED");
        List<String> csv = Files.readAllLines(out.resolve("trials.csv"));
        List<String> header = List.of(csv.get(0).split(","));
        int trialColumn = header.indexOf("trial");
        for (FileStore.Run r : runs.stream().filter(ResumeTest::isTrial).toList()) {
            assertNotEquals(RunStatus.RUNNING, r.info().status(), r.info().runName());
            String index = r.tags().get("rnnsweep.trial_index");
            long rows = csv.stream().skip(1).filter(l -> l.split(",")[trialColumn].equals(index))
                    .filter(l -> !l.split(",")[header.indexOf("epoch")].isEmpty()).count();
            assertEquals(store.metricHistory(r.info().runId(), "test_mse").size(), rows,
                    "trials.csv holds every epoch MLflow holds: " + r.info().runName());
        }

        Cli.Run resumed = run("sweep", spec.toString(), "--resume", "--tracking-uri", mlruns.toString(),
                "--master", "local[2]");
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertTrue(resumed.out().matches("(?s).*resuming sweep resume-term: \\d+ trials kept, [1-9]\\d* continued"
                + " from checkpoints, \\d+ restarted, \\d+ new.*"), resumed.out());
        List<FileStore.Run> trials = runs(store, "resume-term").stream().filter(ResumeTest::isTrial).toList();
        for (FileStore.Run r : trials) {
            assertEquals(RunStatus.FINISHED, r.info().status(), "every trial trained to its end: " + r.info().runName()
                    + " " + r.tags());
            List<Long> steps = store.metricHistory(r.info().runId(), "test_mse").stream().map(FileStore.Metric::step)
                    .toList();
            assertEquals(30, steps.size(), "every epoch logged once: " + r.info().runName());
        }
        // A continued trial's second job started from its checkpoint: a second segment of its run, not an attempt.
        assertTrue(trials.stream().anyMatch(r -> "2".equals(r.tags().get("rnnsweep.segments"))
                && "1".equals(r.tags().get("rnnsweep.attempts"))), "a trial continued from its checkpoint");
        List<String> rows = Files.readAllLines(out.resolve("trials.csv"));
        assertEquals(6 * 30 + 1, rows.size(), "trials.csv holds the whole sweep after the resume");
    }
}
