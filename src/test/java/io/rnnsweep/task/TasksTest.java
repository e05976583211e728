package io.rnnsweep.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.trial.InvalidOptionException;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialOption;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TasksTest {
    @Test
    void everyTaskIsRegisteredUnderItsDocumentedName() {
        assertEquals(6, Tasks.all().size());
        for (TaskName n : TaskName.values()) {
            assertEquals(n, Tasks.get(n).name());
            assertEquals(n, TaskName.parse(n.key()));
        }
    }

    @Test
    void everyTrainedTaskEvaluatesExactlyTheMetricsItDeclares() {
        for (RnnTask task : Tasks.all()) {
            if (task.loss() == LossKind.NONE) {
                continue;
            }
            TaskSession session = task.open(task.defaults());
            try (Network net = session.newNetwork()) {
                Evaluation e = session.evaluate(net);
                assertEquals(Set.copyOf(task.metrics()), e.metrics().keySet(), task.name().key());
                assertTrue(Double.isFinite(e.loss()), task.name().key());
                assertTrue(!session.batches(1).isEmpty(), task.name().key());
            }
        }
    }

    @Test
    void sameSeedBuildsTheSameNetworkAndAnotherSeedDoesNot() {
        RnnTask task = Tasks.get(TaskName.HELLO);
        TaskSession a = task.open(Tasks.resolve(TaskName.HELLO, Map.of()));
        TaskSession b = task.open(Tasks.resolve(TaskName.HELLO, Map.of(TrialOption.SEED, "1")));
        try (Network n1 = a.newNetwork(); Network n2 = a.newNetwork(); Network n3 = b.newNetwork()) {
            assertEquals(n1.params(), n2.params());
            assertTrue(!n1.params().equals(n3.params()));
        }
    }

    @Test
    void aCorpusTooShortForAnySeqLenNamesTheCorpusAndTheLargestBatch(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        java.nio.file.Path tiny = java.nio.file.Files.writeString(dir.resolve("tiny.txt"),
                "a short text of a few words only");
        java.util.Map<io.rnnsweep.trial.TrialOption, String> o = new java.util.EnumMap<>(
                io.rnnsweep.trial.TrialOption.class);
        o.put(io.rnnsweep.trial.TrialOption.CORPUS, tiny.toString());
        io.rnnsweep.trial.TrialConfig config = Tasks.resolve(io.rnnsweep.trial.TaskName.TIMEMACHINE, o);
        InvalidOptionException e = assertThrows(InvalidOptionException.class,
                () -> Tasks.get(io.rnnsweep.trial.TaskName.TIMEMACHINE).open(config));
        assertEquals("corpus", e.option());
        assertTrue(e.getMessage().contains("too short for batch 32") && e.getMessage().contains("batch at most"),
                e.getMessage());
        assertFalse(e.getMessage().contains("at most 0"), e.getMessage());
    }

    @Test
    void optionThatDoesNotApplyToTheTaskIsRejected() {
        InvalidOptionException e = assertThrows(InvalidOptionException.class,
                () -> Tasks.resolve(TaskName.HELLO, Map.of(TrialOption.BATCH, "4")));
        assertEquals("batch", e.option());
        assertTrue(e.getMessage().contains("does not apply to task hello"), e.getMessage());
    }
}
