package io.rnnsweep.trial;

import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Everything one trial trains with; immutable and validated when built, and serializable (it travels to the
 * executor that trains the trial as it is: nobody parses it back from text).
 *
 * <p>Defaults are the task's (the seeds' settings); {@link #with(TrialOption, String)} overrides one option
 * from user text and names the option in its error when the text is not allowed.
 *
 * @param task the task to train
 * @param hidden hidden units per recurrent layer
 * @param layers stacked recurrent layers
 * @param cell the recurrent cell
 * @param optimizer the optimizer
 * @param lr learning rate: the step on the gradient of the seed's loss (mean per token, as in PyTorch)
 * @param clip global L2-norm clipping threshold; empty for no clipping
 * @param batch sequences per minibatch
 * @param seqLen time steps per sequence (window length, bits or points, by task)
 * @param epochs training epochs
 * @param seed the trial's random seed; every random stream is derived from it
 * @param threads CPU threads the trial may use
 * @param corpus the text file of the character language model; empty for the bundled The Time Machine
 * @param clipRelative a clipping threshold relative to the trial's own gradients: this many times the median global
 *     norm of its first {@link #CALIBRATION_UPDATES} updates, or of its first epoch's when that has fewer (they
 *     are not clipped); empty for an absolute (or no) threshold, {@code clip} then
 */
public record TrialConfig(
        TaskName task,
        int hidden,
        int layers,
        Cell cell,
        OptimizerKind optimizer,
        double lr,
        OptionalDouble clip,
        int batch,
        int seqLen,
        int epochs,
        long seed,
        int threads,
        Optional<Path> corpus,
        OptionalDouble clipRelative) implements Serializable {

    /** How many first updates a relative clipping threshold is calibrated on. */
    public static final int CALIBRATION_UPDATES = 20;

    /** Creates a config with an absolute (or no) clipping threshold. */
    public TrialConfig(TaskName task, int hidden, int layers, Cell cell, OptimizerKind optimizer, double lr,
                       OptionalDouble clip, int batch, int seqLen, int epochs, long seed, int threads,
                       Optional<Path> corpus) {
        this(task, hidden, layers, cell, optimizer, lr, clip, batch, seqLen, epochs, seed, threads, corpus,
                OptionalDouble.empty());
    }

    /** Validates every field; the exception names the first option out of range. */
    public TrialConfig {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(cell, "cell");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(clip, "clip");
        Objects.requireNonNull(corpus, "corpus");
        Objects.requireNonNull(clipRelative, "clipRelative");
        if (clipRelative.isPresent() && (clip.isPresent() || !(clipRelative.getAsDouble() > 0)
                || Double.isInfinite(clipRelative.getAsDouble()))) {
            throw TrialOption.CLIP.invalid("relative:" + format(clipRelative.getAsDouble()));
        }
        requireRange(TrialOption.HIDDEN, hidden, 1, 65536);
        requireRange(TrialOption.LAYERS, layers, 1, 64);
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw TrialOption.LR.invalid(format(lr));
        }
        if (clip.isPresent() && (!(clip.getAsDouble() > 0) || Double.isInfinite(clip.getAsDouble()))) {
            throw TrialOption.CLIP.invalid(format(clip.getAsDouble()));
        }
        requireRange(TrialOption.BATCH, batch, 1, 1_000_000);
        requireRange(TrialOption.SEQ_LEN, seqLen, 1, 1_000_000);
        requireRange(TrialOption.EPOCHS, epochs, 1, 1_000_000);
        requireRange(TrialOption.THREADS, threads, 1, 1024);
    }

    private static void requireRange(TrialOption option, long value, long min, long max) {
        if (value < min || value > max) {
            throw option.invalid(value);
        }
    }

    /**
     * Returns this config with one option set from user text.
     *
     * @throws InvalidOptionException naming the option when the text does not parse or is out of range
     */
    public TrialConfig with(TrialOption option, String text) {
        String t = text.trim();
        return switch (option) {
            case HIDDEN -> new TrialConfig(task, parseInt(option, t), layers, cell, optimizer, lr, clip, batch,
                    seqLen, epochs, seed, threads, corpus, clipRelative);
            case LAYERS -> new TrialConfig(task, hidden, parseInt(option, t), cell, optimizer, lr, clip, batch,
                    seqLen, epochs, seed, threads, corpus, clipRelative);
            case CELL -> new TrialConfig(task, hidden, layers, Cell.parse(t), optimizer, lr, clip, batch,
                    seqLen, epochs, seed, threads, corpus, clipRelative);
            case OPTIMIZER -> new TrialConfig(task, hidden, layers, cell, OptimizerKind.parse(t), lr, clip, batch,
                    seqLen, epochs, seed, threads, corpus, clipRelative);
            case LR -> new TrialConfig(task, hidden, layers, cell, optimizer, parseDouble(option, t), clip, batch,
                    seqLen, epochs, seed, threads, corpus, clipRelative);
            case CLIP -> {
                if (t.toLowerCase(Locale.ROOT).startsWith("relative:")) {
                    double x = parseDouble(option, t.substring("relative:".length()).trim());
                    yield new TrialConfig(task, hidden, layers, cell, optimizer, lr, OptionalDouble.empty(), batch,
                            seqLen, epochs, seed, threads, corpus, OptionalDouble.of(x));
                }
                yield new TrialConfig(task, hidden, layers, cell, optimizer, lr, parseClip(t), batch,
                        seqLen, epochs, seed, threads, corpus, OptionalDouble.empty());
            }
            case BATCH -> new TrialConfig(task, hidden, layers, cell, optimizer, lr, clip, parseInt(option, t),
                    seqLen, epochs, seed, threads, corpus, clipRelative);
            case SEQ_LEN -> new TrialConfig(task, hidden, layers, cell, optimizer, lr, clip, batch,
                    parseInt(option, t), epochs, seed, threads, corpus, clipRelative);
            case EPOCHS -> new TrialConfig(task, hidden, layers, cell, optimizer, lr, clip, batch,
                    seqLen, parseInt(option, t), seed, threads, corpus, clipRelative);
            case SEED -> new TrialConfig(task, hidden, layers, cell, optimizer, lr, clip, batch,
                    seqLen, epochs, parseLong(option, t), threads, corpus, clipRelative);
            case THREADS -> new TrialConfig(task, hidden, layers, cell, optimizer, lr, clip, batch,
                    seqLen, epochs, seed, parseInt(option, t), corpus, clipRelative);
            case CORPUS -> {
                if (t.isEmpty()) {
                    throw option.invalid(text);
                }
                yield new TrialConfig(task, hidden, layers, cell, optimizer, lr, clip, batch,
                        seqLen, epochs, seed, threads, Optional.of(Path.of(t)), clipRelative);
            }
        };
    }

    /** Returns this config with every given option set, in the map's order. */
    public TrialConfig withAll(Map<TrialOption, String> options) {
        TrialConfig c = this;
        for (Map.Entry<TrialOption, String> e : options.entrySet()) {
            c = c.with(e.getKey(), e.getValue());
        }
        return c;
    }

    /** Returns the option's value as users write it ({@code none} for no clipping). */
    public String value(TrialOption option) {
        return switch (option) {
            case HIDDEN -> Integer.toString(hidden);
            case LAYERS -> Integer.toString(layers);
            case CELL -> cell.key();
            case OPTIMIZER -> optimizer.key();
            case LR -> format(lr);
            case CLIP -> clipRelative.isPresent() ? "relative:" + format(clipRelative.getAsDouble())
                    : clip.isPresent() ? format(clip.getAsDouble()) : "none";
            case BATCH -> Integer.toString(batch);
            case SEQ_LEN -> Integer.toString(seqLen);
            case EPOCHS -> Integer.toString(epochs);
            case SEED -> Long.toString(seed);
            case THREADS -> Integer.toString(threads);
            case CORPUS -> corpus.map(Path::toString).orElse("(bundled timemachine.txt)");
        };
    }

    /** Returns the given options' values by their user-facing names, in the given order. */
    public Map<String, String> values(Iterable<TrialOption> options) {
        Map<String, String> out = new LinkedHashMap<>();
        for (TrialOption o : options) {
            out.put(o.key(), value(o));
        }
        return out;
    }

    /** Returns a readable name such as {@code timemachine-rnn-h512-l1-lr1-clip1}. */
    public String runName() {
        return task.key() + "-" + cell.key() + "-h" + hidden + "-l" + layers + "-lr" + format(lr) + "-clip"
                + (clipRelative.isPresent() ? "rel" + format(clipRelative.getAsDouble())
                : clip.isPresent() ? format(clip.getAsDouble()) : "none");
    }

    /** Formats a number without trailing zeros or exponent noise ({@code 1}, {@code 0.05}). */
    public static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    private static int parseInt(TrialOption option, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw option.invalid(text);
        }
    }

    private static long parseLong(TrialOption option, String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw option.invalid(text);
        }
    }

    private static double parseDouble(TrialOption option, String text) {
        try {
            double v = Double.parseDouble(text);
            if (Double.isNaN(v)) {
                throw option.invalid(text);
            }
            return v;
        } catch (NumberFormatException e) {
            throw option.invalid(text);
        }
    }

    private static OptionalDouble parseClip(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        if (t.equals("none") || t.equals("off")) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(parseDouble(TrialOption.CLIP, text));
    }

    /** Writes the config as its serial form: {@code Optional}, {@code OptionalDouble} and {@code Path} are not. */
    private Object writeReplace() {
        return new Wire(task, hidden, layers, cell, optimizer, lr, clip.isPresent() ? clip.getAsDouble() : null,
                batch, seqLen, epochs, seed, threads, corpus.map(Path::toString).orElse(null),
                clipRelative.isPresent() ? clipRelative.getAsDouble() : null);
    }

    /** The serial form of a config: its fields, with null for an absent clip or corpus. */
    private record Wire(TaskName task, int hidden, int layers, Cell cell, OptimizerKind optimizer, double lr,
                        Double clip, int batch, int seqLen, int epochs, long seed, int threads, String corpus,
                        Double clipRelative)
            implements Serializable {
        private Object readResolve() {
            return new TrialConfig(task, hidden, layers, cell, optimizer, lr,
                    clip == null ? OptionalDouble.empty() : OptionalDouble.of(clip), batch, seqLen, epochs, seed,
                    threads, Optional.ofNullable(corpus).map(Path::of),
                    clipRelative == null ? OptionalDouble.empty() : OptionalDouble.of(clipRelative));
        }
    }

    /** Returns an empty, ordered option map for building overrides. */
    public static Map<TrialOption, String> options() {
        return new EnumMap<>(TrialOption.class);
    }
}
