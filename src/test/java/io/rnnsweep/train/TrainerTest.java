package io.rnnsweep.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.task.Tasks;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import io.rnnsweep.trial.TrialResult;
import io.rnnsweep.trial.TrialStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    static Path dir;
    static Path smallCorpus;

    @BeforeAll
    static void writeSmallCorpus() throws IOException {
        try (InputStream in = io.rnnsweep.task.CharCorpus.class.getResourceAsStream("timemachine.txt")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            smallCorpus = Files.writeString(dir.resolve("small.txt"), text.substring(0, 20_000));
        }
    }

    private static TrialConfig charLm(String... pairs) {
        Map<TrialOption, String> o = new EnumMap<>(TrialOption.class);
        o.put(TrialOption.CORPUS, smallCorpus.toString());
        o.put(TrialOption.HIDDEN, "32");
        o.put(TrialOption.EPOCHS, "3");
        for (int i = 0; i < pairs.length; i += 2) {
            o.put(TrialOption.byKey(pairs[i]).orElseThrow(), pairs[i + 1]);
        }
        return Tasks.resolve(TaskName.TIMEMACHINE, o);
    }

    private static List<Double> losses(TrialResult r) {
        return r.epochs().stream().flatMap(e -> java.util.stream.Stream.of(e.trainLoss(), e.validationLoss())).toList();
    }

    @Test
    void charLmPerplexityFallsOnTheBundledTimeMachine() {
        Map<TrialOption, String> o = new EnumMap<>(TrialOption.class);
        o.put(TrialOption.HIDDEN, "64");
        o.put(TrialOption.EPOCHS, "3");
        TrialResult r = new Trainer(Tasks.resolve(TaskName.TIMEMACHINE, o)).run();
        assertEquals(TrialStatus.FINISHED, r.status(), () -> r.cause().orElse(""));
        EpochResult first = r.epochs().get(0);
        EpochResult last = r.last().orElseThrow();
        assertTrue(first.validationPerplexity() < 28, "better than uniform over 28 tokens: " + first);
        assertTrue(last.validationPerplexity() < first.validationPerplexity(), r.epochs().toString());
        assertTrue(last.trainPerplexity() < first.trainPerplexity(), r.epochs().toString());
        assertEquals(Math.exp(last.validationLoss()), last.validationPerplexity(), 1e-9);
        assertTrue(last.clipFraction() >= 0 && last.clipFraction() <= 1);
        assertTrue(last.gradNormMax() >= last.gradNormMean() && last.gradNormMean() > 0);
        assertTrue(last.tokens() > 100_000, "an epoch covers the training text: " + last.tokens());
        assertTrue(r.report().get(1).startsWith("sample: time traveller"), r.report().toString());
        assertEquals("sample: time traveller".length() + 50, r.report().get(1).length());
    }

    @Test
    void sameSeedGivesTheSameLossesAndAnotherSeedDoesNot() {
        TrialResult a = new Trainer(charLm("epochs", "2")).run();
        TrialResult b = new Trainer(charLm("epochs", "2")).run();
        TrialResult c = new Trainer(charLm("epochs", "2", "seed", "1")).run();
        assertEquals(losses(a), losses(b));
        assertNotEquals(losses(a), losses(c));
    }

    @Test
    void resumingFromACheckpointContinuesExactlyAsAnUninterruptedRun() throws IOException {
        for (String optimizer : List.of("sgd", "adam")) {
            TrialConfig config = charLm("optimizer", optimizer, "lr", optimizer.equals("sgd") ? "1" : "0.01");
            TrialResult straight = new Trainer(config).run();

            Path checkpoint = dir.resolve("trial-" + optimizer + ".ckpt");
            TrialResult first = new Trainer(config).checkpointTo(checkpoint).stopAfterEpoch(1).run();
            assertEquals(TrialStatus.PAUSED, first.status());
            assertTrue(Files.size(checkpoint) > 0);
            TrialResult rest = new Trainer(config).resumeFrom(checkpoint).run();
            assertEquals(TrialStatus.FINISHED, rest.status(), () -> rest.cause().orElse(""));
            assertEquals(List.of(2, 3), rest.epochs().stream().map(EpochResult::epoch).toList());

            assertEquals(losses(straight).subList(0, 2), losses(first), optimizer);
            assertEquals(losses(straight).subList(2, 6), losses(rest), optimizer);
            assertEquals(straight.report(), rest.report(), optimizer);
        }
    }

    @Test
    void checkpointsStoredOnTheWayComeAfterTheirEpochsListenersAndResumeExactly() throws IOException {
        TrialConfig config = charLm("epochs", "5");
        TrialResult straight = new Trainer(config).run();
        Path latest = dir.resolve("latest.zip");
        List<String> events = new ArrayList<>();
        List<Integer> stored = new ArrayList<>();
        TrialResult run = new Trainer(config).listener(r -> {
            events.add("epoch " + r.epoch());
            return EpochDecision.CONTINUE;
        }).checkpointEvery(2, latest, (file, epoch) -> {
            events.add("checkpoint " + epoch);
            try {
                stored.add(Checkpoint.epochOf(file));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).run();
        assertEquals(TrialStatus.FINISHED, run.status(), () -> run.cause().orElse(""));
        // Every second epoch but the last, each after its epoch's listeners heard it.
        assertEquals(List.of("epoch 1", "epoch 2", "checkpoint 2", "epoch 3", "epoch 4", "checkpoint 4", "epoch 5"),
                events);
        assertEquals(List.of(2, 4), stored);
        TrialResult rest = new Trainer(config).resumeFrom(latest).run();
        assertEquals(List.of(5), rest.epochs().stream().map(EpochResult::epoch).toList());
        assertEquals(losses(straight).subList(8, 10), losses(rest), "the 5th epoch as if never interrupted");
    }

    @Test
    void aRelativeClippingThresholdResolvesFromTheFirstUpdatesAndSurvivesAResume() throws IOException {
        TrialConfig config = charLm("clip", "relative:0.5", "epochs", "3");
        assertEquals("relative:0.5", config.value(TrialOption.CLIP));
        TrialResult straight = new Trainer(config).run();
        assertEquals(TrialStatus.FINISHED, straight.status(), () -> straight.cause().orElse(""));
        // The first 20 updates calibrate unclipped; then half their median norm clips most updates.
        double threshold = straight.epochs().get(2).taskMetrics().get("clip_threshold");
        assertTrue(threshold > 0, "the resolved threshold is logged with the epoch: " + threshold);
        assertTrue(straight.epochs().get(2).clipFraction() > 0.5, "half the median norm clips most updates");
        assertEquals(threshold, straight.epochs().get(1).taskMetrics().getOrDefault("clip_threshold", threshold));

        Path checkpoint = dir.resolve("relative.ckpt");
        new Trainer(config).checkpointTo(checkpoint).stopAfterEpoch(1).run();
        TrialResult rest = new Trainer(config).resumeFrom(checkpoint).run();
        assertEquals(losses(straight).subList(2, 6), losses(rest), "the resumed trial clips as the straight one");
        assertEquals(threshold, rest.epochs().get(1).taskMetrics().get("clip_threshold"));
    }

    @Test
    void checkpointOfAnotherTrialIsRefused() throws IOException {
        Path checkpoint = dir.resolve("other.ckpt");
        new Trainer(charLm("epochs", "1")).checkpointTo(checkpoint).run();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.read(checkpoint, charLm("hidden", "16")));
        assertTrue(e.getMessage().contains("hidden = 32, not 16"), e.getMessage());
    }

    @Test
    void nonFiniteLossStopsTheTrialAsDivergedWithItsEpoch() {
        Map<TrialOption, String> o = new EnumMap<>(TrialOption.class);
        o.put(TrialOption.OPTIMIZER, "sgd");
        o.put(TrialOption.LR, "1e6");
        o.put(TrialOption.EPOCHS, "3");
        TrialResult r = new Trainer(Tasks.resolve(TaskName.SINE, o)).run();
        assertEquals(TrialStatus.DIVERGED, r.status());
        assertTrue(r.cause().orElseThrow().startsWith("diverged in epoch 1:"), r.cause().orElseThrow());
        assertEquals(0, r.lastEpoch());
    }

    @Test
    void aCharLmThatBlowsUpWithoutClippingEndsDivergedWithItsEpochAndWhy() {
        // The seeds' second tutorial: lr 100 without clipping. Its losses stay finite, far above ln 28.
        TrialResult r = new Trainer(charLm("hidden", "128", "lr", "100", "clip", "none", "epochs", "4")).run();
        assertEquals(TrialStatus.DIVERGED, r.status(), r.epochs().toString());
        String cause = r.cause().orElseThrow();
        assertTrue(cause.matches("diverged in epoch [12]: (training|validation) loss .* times the no-skill loss"
                + " ln 28 = 3\\.332 \\(divergence\\.baseline_factor 3\\)"), cause);
        EpochResult blown = r.epochs().get(r.epochs().size() - 1);
        assertTrue(Double.isFinite(blown.trainLoss()) && Math.max(blown.trainLoss(), blown.validationLoss())
                > 3 * Math.log(28), "the epoch that blew up is kept, finite: " + blown);
        // The same trial with the limits off is left to run, as before, and finishes.
        TrialResult unjudged = new Trainer(charLm("hidden", "128", "lr", "100", "clip", "none", "epochs", "2"))
                .divergence(io.rnnsweep.trial.Divergence.FINITE_ONLY).run();
        assertEquals(TrialStatus.FINISHED, unjudged.status(), () -> unjudged.cause().orElse(""));
    }

    @Test
    void aLossBackAboveNoSkillAfterTheTrialHadLearnedCountsAsDiverged() {
        io.rnnsweep.trial.Divergence limits = io.rnnsweep.trial.Divergence.DEFAULT;
        java.util.Optional<io.rnnsweep.trial.Divergence.Baseline> ln28 =
                java.util.Optional.of(new io.rnnsweep.trial.Divergence.Baseline(Math.log(28), "ln 28"));
        assertTrue(limits.judge("training loss", 3.5, 1.5, ln28).orElseThrow().contains("back above the no-skill"
                + " loss ln 28 = 3.332 after the trial's best 1.500 (divergence.best_factor 2)"));
        assertTrue(limits.judge("training loss", 3.5, 2.0, ln28).isEmpty(), "its best was not 2 times below");
        assertTrue(limits.judge("training loss", 3.0, 1.5, ln28).isEmpty(), "below no skill still");
        assertTrue(limits.judge("training loss", 3.5, Double.NaN, ln28).isEmpty(), "no best yet");
        assertTrue(limits.judge("training loss", 50, Double.NaN, java.util.Optional.empty()).isEmpty(),
                "a task without a no-skill loss is judged by finiteness only");
    }

    @Test
    void clippingKeepsTheSameHugeLearningRateFinite() {
        Map<TrialOption, String> o = new EnumMap<>(TrialOption.class);
        o.put(TrialOption.OPTIMIZER, "sgd");
        o.put(TrialOption.LR, "0.5");
        o.put(TrialOption.CLIP, "0.01");
        o.put(TrialOption.EPOCHS, "1");
        TrialResult r = new Trainer(Tasks.resolve(TaskName.SINE, o)).run();
        assertEquals(TrialStatus.FINISHED, r.status(), () -> r.cause().orElse(""));
        assertTrue(r.last().orElseThrow().clipFraction() > 0.9, r.epochs().toString());
    }

    @Test
    void listenerCanStopTheTrialEarlyAndItEndsKilled() {
        List<Integer> seen = new java.util.ArrayList<>();
        TrialResult r = new Trainer(Tasks.resolve(TaskName.HELLO, Map.of())).listener(e -> {
            seen.add(e.epoch());
            return e.epoch() == 3 ? EpochDecision.STOP : EpochDecision.CONTINUE;
        }).run();
        assertEquals(TrialStatus.KILLED, r.status());
        assertEquals(List.of(1, 2, 3), seen);
        assertEquals(EpochResult.metricNames(Tasks.get(TaskName.HELLO).metrics(), true),
                List.copyOf(r.epochs().get(0).metrics().keySet()), "the declared metric names are the ones produced");
        assertEquals(3, r.lastEpoch());
        assertFalse(r.report().isEmpty());
    }

    @Test
    void trialThreadsAreCappedByThePoolTheLauncherSized() {
        // Surefire starts the JVM with OMP_NUM_THREADS=1, as jobs/rnnsweep does for a one-thread trial.
        assertEquals("1", System.getenv("OMP_NUM_THREADS"));
        new Trainer(Tasks.resolve(TaskName.SRN, Map.of(TrialOption.THREADS, "1"))).run();
        assertEquals(1, ThreadBinding.current());
        assertEquals(1, ThreadBinding.apply(4), "a pool sized for one thread is not grown from inside the JVM");
    }
}
