package io.rnnsweep.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.train.Trainer;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialOption;
import io.rnnsweep.trial.TrialResult;
import io.rnnsweep.trial.TrialStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each trained task reaches the seed's result at the seed's settings, with fixed seeds. The trials are
 * independent and single-threaded, so they run concurrently, one per core.
 */
@Execution(ExecutionMode.CONCURRENT)
class TaskFidelityTest {
    private static TrialResult train(TaskName task, Map<TrialOption, String> options) {
        TrialResult r = new Trainer(Tasks.resolve(task, options)).run();
        assertEquals(TrialStatus.FINISHED, r.status(), () -> r.cause().orElse(""));
        return r;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void helloPredictsOhlolWithinFifteenEpochs(int seed) {
        TrialResult r = train(TaskName.HELLO, Map.of(TrialOption.SEED, Integer.toString(seed)));
        assertEquals(15, r.lastEpoch());
        EpochResult last = r.last().orElseThrow();
        assertEquals(1.0, last.taskMetrics().get("exact_match"), "predicted string: " + r.report());
        assertTrue(r.report().get(0).contains("hello -> ohlol"), r.report().toString());
        assertTrue(r.epochs().get(0).trainLoss() > 1.0, "the seed starts near 1.3");
        assertTrue(last.validationLoss() < 0.1, "the seed ends near 0.01, got " + last.validationLoss());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void binaryAdditionSumsEveryHeldOutPairExactly(int seed) {
        TrialResult r = train(TaskName.BINARY_ADDITION, Map.of(TrialOption.SEED, Integer.toString(seed)));
        EpochResult last = r.last().orElseThrow();
        assertEquals(1.0, last.taskMetrics().get("exact_accuracy"), r.report().toString());
        assertTrue(r.report().get(0).startsWith("held-out pairs: 1000,"), r.report().toString());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void antonymsTranslatesAllSixTrainingWordsWithinFiveHundredPasses(int seed) {
        TrialResult r = train(TaskName.ANTONYMS, Map.of(TrialOption.SEED, Integer.toString(seed),
                TrialOption.EPOCHS, "5"));
        assertEquals(1.0, r.last().orElseThrow().taskMetrics().get("translation_accuracy"), r.report().toString());
        assertTrue(r.report().get(0).contains("man->women") && r.report().get(0).contains("high->low"),
                r.report().toString());
        assertTrue(r.report().get(1).startsWith("unseen words:"));
    }

    /**
     * The seed reports MSE ~0.004-0.008 over several seeds; single seeds scatter (0.0005 to 0.0104 over seeds
     * 0-3 here), so the median of three seeds is held to 0.01, and every seed must have learned the wave.
     */
    @Test
    void sineMedianTestErrorOverThreeSeedsIsAtMostOneHundredth() {
        List<Double> errors = new ArrayList<>();
        for (int seed = 0; seed < 3; seed++) {
            TrialResult r = train(TaskName.SINE, Map.of(TrialOption.SEED, Integer.toString(seed)));
            double first = r.epochs().get(0).taskMetrics().get("test_mse");
            double last = r.last().orElseThrow().taskMetrics().get("test_mse");
            assertTrue(last < 0.05 && last < first, "seed " + seed + ": test MSE " + first + " -> " + last);
            errors.add(last);
        }
        Collections.sort(errors);
        assertTrue(errors.get(1) <= 0.01, "test MSE per seed " + errors);
    }
}
