package io.rnnsweep.trial;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The recurrent cell a trial's layers use. */
public enum Cell {
    /** Elman (simple) RNN: {@code h_t = act(x_t W + h_{t-1} R + b)}. */
    RNN,
    /** Long short-term memory, the seeds' cure for vanishing gradients. */
    LSTM,
    /** Gated recurrent unit (PyTorch's {@code nn.GRU}): reset and update gates, fewer parameters than LSTM. */
    GRU;

    /** Returns the name users write ({@code rnn}, {@code lstm}). */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a user-written cell name.
     *
     * @throws InvalidOptionException naming option {@code cell} when the name is unknown
     */
    public static Cell parse(String text) {
        for (Cell c : values()) {
            if (c.key().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw new InvalidOptionException("cell", text, allowedText());
    }

    static String allowedText() {
        return Arrays.stream(values()).map(Cell::key).collect(Collectors.joining(" | "));
    }
}
