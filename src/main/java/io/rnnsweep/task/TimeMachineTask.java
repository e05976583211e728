package io.rnnsweep.task;

import io.rnnsweep.trial.Cell;
import io.rnnsweep.trial.Divergence;
import io.rnnsweep.trial.InvalidOptionException;
import io.rnnsweep.trial.OptimizerKind;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * The character-level language model of d2l on The Time Machine (or any UTF-8 text file).
 *
 * <p>28 tokens, one-hot input, {@code layers} recurrent layers, a softmax over the next character. The last
 * 10% of the tokens are held out for validation perplexity. Training follows d2l's sequential partitioning:
 * each epoch starts at a random offset in {@code [0, seq-len]}, the training text is cut into {@code batch}
 * contiguous rows, and the windows of {@code seq-len} steps are visited in order with the hidden state carried
 * (detached) from one window to the next: DL4J's truncated BPTT over one long sequence per row.
 */
public final class TimeMachineTask implements RnnTask {
    /** Fraction of the corpus used for training; the tail is held out. */
    static final double TRAIN_FRACTION = 0.9;
    /** Prefix the sample is generated from. */
    static final String PREFIX = "time traveller";
    /** Characters sampled after the prefix. */
    static final int SAMPLE_LENGTH = 50;

    @Override
    public TaskName name() {
        return TaskName.TIMEMACHINE;
    }

    @Override
    public String summary() {
        return "character LM on The Time Machine (or --corpus FILE), 28 tokens, RNN 512, SGD lr 1, clip 1,"
                + " batch 32 x 35 steps; seed: perplexity falls toward 1 over 500 epochs; follows PyTorch update by"
                + " update (val ppl after 20 epochs 6.65-6.84 against PyTorch's 6.67-6.81, seeds 0-2)";
    }

    @Override
    public TrialConfig defaults() {
        return new TrialConfig(TaskName.TIMEMACHINE, 512, 1, Cell.RNN, OptimizerKind.SGD, 1.0, OptionalDouble.of(1.0),
                32, 35, 500, 0, 1, Optional.empty());
    }

    @Override
    public Set<TrialOption> options() {
        return EnumSet.allOf(TrialOption.class);
    }

    /** Uniform prediction over the 28 tokens: ln 28 nats per character. */
    @Override
    public Optional<Divergence.Baseline> noSkill(TrialConfig config) {
        return Optional.of(new Divergence.Baseline(Math.log(CharCorpus.VOCABULARY), "ln " + CharCorpus.VOCABULARY));
    }

    @Override
    public List<String> metrics() {
        return List.of();
    }

    @Override
    public LossKind loss() {
        return LossKind.CROSS_ENTROPY;
    }

    @Override
    public TaskSession open(TrialConfig config) {
        return new Session(config, CharCorpus.load(config.corpus()));
    }

    /** Splits a corpus into its training head and held-out tail. */
    static int trainLength(int tokens) {
        return (int) (tokens * TRAIN_FRACTION);
    }

    private static final class Session implements TaskSession {
        private final TrialConfig config;
        private final CharCorpus corpus;
        private final int[] train;
        private final int[] validation;
        private DataSet validationSet;

        Session(TrialConfig config, CharCorpus corpus) {
            this.config = config;
            this.corpus = corpus;
            int split = trainLength(corpus.size());
            this.train = java.util.Arrays.copyOfRange(corpus.tokens(), 0, split);
            this.validation = java.util.Arrays.copyOfRange(corpus.tokens(), split, corpus.size());
            int steps = config.seqLen();
            long needed = (long) config.batch() * steps + steps + 1;
            if (train.length < (long) config.batch() + 2) {
                // Not even one step per sequence fits: no seq-len helps, the corpus or the batch must change.
                throw TrialOption.CORPUS.invalid(corpus.source() + " (too short for batch " + config.batch() + ": it has "
                        + train.length + " training characters after preprocessing, one epoch needs at least batch"
                        + " + 2 = " + (config.batch() + 2L) + " (seq-len 1); use a longer text, or batch at most "
                        + Math.max(1, train.length - 2) + ")");
            }
            if (train.length < needed) {
                int maxSteps = (int) Math.max(0, (train.length - 1) / (config.batch() + 1L));
                throw new InvalidOptionException(TrialOption.SEQ_LEN.key(), Integer.toString(steps),
                        "at most " + maxSteps + " with batch " + config.batch() + ": the corpus " + corpus.source()
                                + " has " + train.length + " training characters after preprocessing, and one epoch"
                                + " needs batch x (seq-len + 1) + 1 of them");
            }
            if (validation.length < 2) {
                throw TrialOption.CORPUS.invalid(corpus.source() + " (too short: its last 10% must hold at least"
                        + " 2 characters for validation)");
            }
        }

        @Override
        public Network newNetwork() {
            return Nets.stack(config, DataType.FLOAT, CharCorpus.VOCABULARY, Activation.TANH, CharCorpus.VOCABULARY,
                    Activation.SOFTMAX, LossFunction.MCXENT, config.seqLen());
        }

        @Override
        public List<Batch> batches(int epoch) {
            int offset = Seeds.random(config.seed(), "offset", epoch).nextInt(config.seqLen() + 1);
            return List.of(sequential(train, offset, config.batch(), config.seqLen()));
        }

        @Override
        public Evaluation evaluate(Network net) {
            DataSet held = validationSet();
            long tokens = held.getLabels().size(0) * held.getLabels().size(2);
            return new Evaluation(net.layers().score(held, false) / tokens, Map.of());
        }

        /** The held-out tail as rows of contiguous text, encoded once on first use. */
        private DataSet validationSet() {
            if (validationSet == null) {
                int rows = Math.max(1, Math.min(config.batch(), (validation.length - 1) / config.seqLen()));
                int length = (validation.length - 1) / rows;
                validationSet = new DataSet(
                        OneHot.encode(validation, 0, length, rows, length, CharCorpus.VOCABULARY, DataType.FLOAT),
                        OneHot.encode(validation, 1, length, rows, length, CharCorpus.VOCABULARY, DataType.FLOAT));
            }
            return validationSet;
        }

        @Override
        public List<String> report(Network net) {
            List<String> lines = new ArrayList<>();
            lines.add("corpus: " + corpus.source() + " (sha1 " + corpus.sha1() + ", " + corpus.size() + " tokens: "
                    + train.length + " train, " + validation.length + " validation)");
            lines.add("sample: " + sample(net, PREFIX, SAMPLE_LENGTH));
            return lines;
        }
    }

    /**
     * Returns an epoch of d2l's sequential partitioning ({@code seq_data_iter_sequential}) from a given offset: the
     * tokens after it cut into {@code rows} contiguous rows, visited in windows of {@code steps}, one update each.
     */
    static Batch sequential(int[] train, int offset, int rows, int steps) {
        int perRow = (train.length - offset - 1) / rows;
        int windows = perRow / steps;
        int length = windows * steps;
        INDArray x = OneHot.encode(train, offset, perRow, rows, length, CharCorpus.VOCABULARY, DataType.FLOAT);
        INDArray y = OneHot.encode(train, offset + 1, perRow, rows, length, CharCorpus.VOCABULARY, DataType.FLOAT);
        return Batch.meanOver(new DataSet(x, y), steps, windows);
    }

    /** Warms the state up on {@code prefix}, then appends the {@code length} most likely next characters. */
    static String sample(Network network, String prefix, int length) {
        var net = network.layers();
        net.rnnClearPreviousState();
        StringBuilder text = new StringBuilder(prefix);
        INDArray out = null;
        for (int i = 0; i < prefix.length(); i++) {
            out = step(net, CharCorpus.token(prefix.charAt(i)));
        }
        for (int i = 0; i < length; i++) {
            int next = OneHot.argmax(out, 0, 0);
            text.append(CharCorpus.character(next));
            out = step(net, next);
        }
        net.rnnClearPreviousState();
        return text.toString();
    }

    private static INDArray step(org.deeplearning4j.nn.multilayer.MultiLayerNetwork net, int token) {
        INDArray x = OneHot.encode(new int[] {token}, 0, 1, 1, 1, CharCorpus.VOCABULARY, DataType.FLOAT);
        return net.rnnTimeStep(x);
    }
}
