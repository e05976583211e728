package io.rnnsweep.trial;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The documented RNN tasks, by the names users write. */
public enum TaskName {
    /** The fixed-weight 2-2-2 simple recurrent network check; no training. */
    SRN("srn"),
    /** Adding two 8-bit numbers bit by bit, least significant bit first. */
    BINARY_ADDITION("binary-addition"),
    /** Mapping "hello" to "ohlol". */
    HELLO("hello"),
    /** Encoder-decoder over six antonym pairs. */
    ANTONYMS("antonyms"),
    /** Next-step prediction of a sine wave. */
    SINE("sine"),
    /** Character-level language model on The Time Machine (or a given text file). */
    TIMEMACHINE("timemachine");

    private final String key;

    TaskName(String key) {
        this.key = key;
    }

    /** Returns the name users write. */
    public String key() {
        return key;
    }

    /**
     * Parses a user-written task name.
     *
     * @throws InvalidOptionException naming option {@code task} when the name is unknown
     */
    public static TaskName parse(String text) {
        for (TaskName t : values()) {
            if (t.key.equals(text.trim())) {
                return t;
            }
        }
        throw new InvalidOptionException("task", text,
                Arrays.stream(values()).map(TaskName::key).collect(Collectors.joining(" | ")));
    }

    @Override
    public String toString() {
        return key;
    }
}
