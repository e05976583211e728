package io.rnnsweep.trial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class TrialConfigTest {
    private static TrialConfig base() {
        return new TrialConfig(TaskName.TIMEMACHINE, 512, 1, Cell.RNN, OptimizerKind.SGD, 1.0, OptionalDouble.of(1.0),
                32, 35, 5, 0, 1, Optional.empty());
    }

    @Test
    void aConfigTravelsSerializedAsItIs() throws Exception {
        for (TrialConfig c : java.util.List.of(base(), base().with(TrialOption.CLIP, "none")
                .with(TrialOption.CORPUS, "/data/corpus.txt").with(TrialOption.SEED, "42"))) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
                out.writeObject(c);
            }
            try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                    new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
                assertEquals(c, in.readObject());
            }
        }
    }

    @Test
    void overridesParseUserTextIntoTypedValues() {
        TrialConfig c = base().with(TrialOption.HIDDEN, "256").with(TrialOption.CELL, "LSTM")
                .with(TrialOption.LR, "0.05").with(TrialOption.CLIP, "none").with(TrialOption.CORPUS, "/tmp/x.txt");
        assertEquals(256, c.hidden());
        assertEquals(Cell.LSTM, c.cell());
        assertEquals(0.05, c.lr());
        assertTrue(c.clip().isEmpty());
        assertEquals(Optional.of(Path.of("/tmp/x.txt")), c.corpus());
        assertEquals(512, base().hidden(), "the original is unchanged");
    }

    @Test
    void runNameShowsTheSweptAxesWithoutNumberNoise() {
        assertEquals("timemachine-rnn-h512-l1-lr1-clip1", base().runName());
        assertEquals("timemachine-lstm-h512-l1-lr0.05-clipnone",
                base().with(TrialOption.CELL, "lstm").with(TrialOption.LR, "0.05").with(TrialOption.CLIP, "none").runName());
    }

    @Test
    void nonPositiveOrMalformedValuesAreRejectedNamingTheOption() {
        String[][] bad = {
            {"hidden", "0"}, {"hidden", "-3"}, {"hidden", "abc"}, {"layers", "0"}, {"lr", "0"}, {"lr", "-1"},
            {"lr", "NaN"}, {"lr", "Infinity"}, {"clip", "0"}, {"clip", "-2"}, {"batch", "0"}, {"seq-len", "0"},
            {"epochs", "0"}, {"epochs", "1.5"}, {"threads", "0"}, {"cell", "transformer"}, {"optimizer", "rmsprop"},
            {"seed", "x"}, {"corpus", " "},
        };
        for (String[] b : bad) {
            TrialOption option = TrialOption.byKey(b[0]).orElseThrow();
            InvalidOptionException e = assertThrows(InvalidOptionException.class, () -> base().with(option, b[1]),
                    b[0] + "=" + b[1]);
            assertEquals(b[0], e.option());
            assertTrue(e.getMessage().contains("'" + b[0] + "'") && e.getMessage().contains("allowed"), e.getMessage());
        }
    }

    @Test
    void valuesRoundTripThroughUserText() {
        TrialConfig c = base();
        TrialConfig again = base().with(TrialOption.HIDDEN, "1");
        for (TrialOption o : TrialOption.values()) {
            if (o != TrialOption.CORPUS) {
                again = again.with(o, c.value(o));
            }
        }
        assertEquals(c, again);
    }
}
