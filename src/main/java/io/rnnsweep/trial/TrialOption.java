package io.rnnsweep.trial;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The options a trial is made of, by the names users write on the command line and in sweep specs.
 *
 * <p>The task decides which of them apply to it and supplies the defaults (the seeds' settings).
 */
public enum TrialOption {
    /** Hidden units per recurrent layer. */
    HIDDEN("hidden", "hidden units per recurrent layer", "an integer from 1 to 65536"),
    /** Number of stacked recurrent layers. */
    LAYERS("layers", "stacked recurrent layers", "an integer from 1 to 64"),
    /** The recurrent cell. */
    CELL("cell", "recurrent cell", Cell.allowedText()),
    /** The optimizer. */
    OPTIMIZER("optimizer", "optimizer", "sgd | adam"),
    /** Learning rate, as in the seeds' PyTorch code (gradient of the mean per-token loss). */
    LR("lr", "learning rate", "a finite number > 0"),
    /** Global L2-norm clipping threshold, or none. */
    CLIP("clip", "gradient clipping threshold (global L2 norm)", "a finite number > 0, relative:X (X > 0: X times the median global gradient norm of the trial's first 20 updates, or first epoch's), or none"),
    /** Sequences per minibatch. */
    BATCH("batch", "sequences per minibatch", "an integer from 1 to 1000000"),
    /** Time steps per training window (or bits, or points, by task). */
    SEQ_LEN("seq-len", "time steps per sequence", "an integer from 1 to 1000000"),
    /** Training epochs. */
    EPOCHS("epochs", "training epochs", "an integer from 1 to 1000000"),
    /** Random seed of the trial. */
    SEED("seed", "random seed", "an integer"),
    /** CPU threads the trial may use. */
    THREADS("threads", "CPU threads for the trial", "an integer from 1 to 1024"),
    /** Text file for the character language model. */
    CORPUS("corpus", "UTF-8 text file for the character language model", "a readable, non-empty UTF-8 text file");

    private final String key;
    private final String description;
    private final String allowed;

    TrialOption(String key, String description, String allowed) {
        this.key = key;
        this.description = description;
        this.allowed = allowed;
    }

    /** Returns the name users write. */
    public String key() {
        return key;
    }

    /** Returns a short description. */
    public String description() {
        return description;
    }

    /** Returns a description of the values allowed. */
    public String allowed() {
        return allowed;
    }

    /** Finds an option by the name users write, if there is one. */
    public static Optional<TrialOption> byKey(String key) {
        String k = key.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(o -> o.key.equals(k)).findFirst();
    }

    /** Returns every option name, for error messages. */
    public static String allKeys() {
        return Arrays.stream(values()).map(TrialOption::key).collect(Collectors.joining(", "));
    }

    /** Returns a rejection of {@code value} for this option. */
    public InvalidOptionException invalid(Object value) {
        return new InvalidOptionException(key, String.valueOf(value), allowed);
    }
}
