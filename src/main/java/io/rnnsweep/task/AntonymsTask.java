package io.rnnsweep.task;

import io.rnnsweep.trial.Cell;
import io.rnnsweep.trial.Divergence;
import io.rnnsweep.trial.OptimizerKind;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.rnn.DuplicateToTimeSeriesVertex;
import org.deeplearning4j.nn.conf.graph.rnn.LastTimeStepVertex;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * The seq2seq antonyms of the seed: man→women, black→white, king→queen, girl→boy, up→down, high→low.
 *
 * <p>Letters are one-hot over {@code S E ? a..z}; words are padded with {@code ?} to 5 letters; the encoder reads
 * the word and {@code E}, the decoder reads {@code S} and the answer (teacher forcing) and predicts the answer and
 * {@code E}. The encoder's last state reaches the decoder the way DL4J's graph does it, as an extra input at every
 * decoder step ({@link LastTimeStepVertex}, {@link DuplicateToTimeSeriesVertex}). The loss is the seed's: mean
 * cross-entropy per letter of each pair, summed over the pairs of a batch. An epoch is {@value #PASSES_PER_EPOCH}
 * passes over the six pairs (the seed's 5000 passes are 50 epochs). Translation is greedy: each predicted letter
 * is fed back until {@code E}.
 */
public final class AntonymsTask implements RnnTask {
    /** One-hot alphabet, in the seed's order. */
    static final String LETTERS = "SE?abcdefghijklmnopqrstuvwxyz";
    /** Letters per word after padding. */
    static final int WORD = 5;
    /** Passes over the training pairs per epoch. */
    static final int PASSES_PER_EPOCH = 100;
    /** The seed's pairs. */
    static final String[][] PAIRS = {
        {"man", "women"}, {"black", "white"}, {"king", "queen"}, {"girl", "boy"}, {"up", "down"}, {"high", "low"}};
    /** Words the network never saw, to show what it generalizes to. */
    static final String[] UNSEEN = {"men", "kings", "girls", "low", "white"};

    @Override
    public TaskName name() {
        return TaskName.ANTONYMS;
    }

    @Override
    public String summary() {
        return "seq2seq antonyms (man->women, black->white, ...): encoder-decoder RNN hidden 128, one-hot letters,"
                + " Adam 0.001, batch 3, 5000 passes; seed: all six pairs translated, loss ~1e-5";
    }

    @Override
    public TrialConfig defaults() {
        return new TrialConfig(TaskName.ANTONYMS, 128, 1, Cell.RNN, OptimizerKind.ADAM, 1e-3, OptionalDouble.empty(),
                3, WORD + 1, 50, 0, 1, Optional.empty());
    }

    @Override
    public Set<TrialOption> options() {
        return EnumSet.of(TrialOption.HIDDEN, TrialOption.LAYERS, TrialOption.CELL, TrialOption.OPTIMIZER,
                TrialOption.LR, TrialOption.CLIP, TrialOption.BATCH, TrialOption.EPOCHS, TrialOption.SEED,
                TrialOption.THREADS);
    }

    @Override
    public List<String> metrics() {
        return List.of("translation_accuracy");
    }

    /** Uniform prediction over the 29 symbols: ln 29 nats per symbol. */
    @Override
    public Optional<Divergence.Baseline> noSkill(TrialConfig config) {
        return Optional.of(new Divergence.Baseline(Math.log(LETTERS.length()), "ln " + LETTERS.length()));
    }

    @Override
    public LossKind loss() {
        return LossKind.CROSS_ENTROPY;
    }

    @Override
    public boolean layerStack() {
        return false;
    }

    @Override
    public TaskSession open(TrialConfig config) {
        if (config.batch() > PAIRS.length) {
            throw TrialOption.BATCH.invalid(config.batch() + " (antonyms has " + PAIRS.length
                    + " training pairs: batch 1 to " + PAIRS.length + ")");
        }
        return new Session(config);
    }

    static int[] letters(String text) {
        int[] out = new int[text.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = LETTERS.indexOf(text.charAt(i));
            if (out[i] < 0) {
                throw new IllegalArgumentException("not in the antonyms alphabet: '" + text.charAt(i) + "'");
            }
        }
        return out;
    }

    static String pad(String word) {
        return word + "?".repeat(Math.max(0, WORD - word.length()));
    }

    private static final class Session implements TaskSession {
        private final TrialConfig config;
        private final MultiDataSet all;

        Session(TrialConfig config) {
            this.config = config;
            int[] everyPair = new int[PAIRS.length];
            Arrays.setAll(everyPair, i -> i);
            this.all = encode(everyPair);
        }

        private MultiDataSet encode(int[] pairIndices) {
            int n = pairIndices.length;
            int[][] enc = new int[n][];
            int[][] decIn = new int[n][];
            int[][] decOut = new int[n][];
            for (int i = 0; i < n; i++) {
                String[] pair = PAIRS[pairIndices[i]];
                enc[i] = letters(pad(pair[0]) + "E");
                decIn[i] = letters("S" + pad(pair[1]));
                decOut[i] = letters(pad(pair[1]) + "E");
            }
            int v = LETTERS.length();
            return new MultiDataSet(
                    new INDArray[] {OneHot.encode(enc, v, DataType.FLOAT), OneHot.encode(decIn, v, DataType.FLOAT)},
                    new INDArray[] {OneHot.encode(decOut, v, DataType.FLOAT)});
        }

        @Override
        public Network newNetwork() {
            int v = LETTERS.length();
            ComputationGraphConfiguration.GraphBuilder g = Nets.base(config, DataType.FLOAT).graphBuilder()
                    .addInputs("encoderInput", "decoderInput");
            String previous = "encoderInput";
            int in = v;
            for (int i = 0; i < config.layers(); i++) {
                g.addLayer("encoder" + i, Nets.recurrent(config, in, config.hidden(), Activation.TANH), previous);
                previous = "encoder" + i;
                in = config.hidden();
            }
            g.addVertex("thought", new LastTimeStepVertex("encoderInput"), previous);
            g.addVertex("thoughtPerStep", new DuplicateToTimeSeriesVertex("decoderInput"), "thought");
            g.addVertex("decoderFeed", new MergeVertex(), "decoderInput", "thoughtPerStep");
            previous = "decoderFeed";
            in = v + config.hidden();
            for (int i = 0; i < config.layers(); i++) {
                g.addLayer("decoder" + i, Nets.recurrent(config, in, config.hidden(), Activation.TANH), previous);
                previous = "decoder" + i;
                in = config.hidden();
            }
            g.addLayer("output", new RnnOutputLayer.Builder(LossFunction.MCXENT).nIn(in).nOut(v)
                    .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build(), previous);
            g.setOutputs("output");
            ComputationGraph graph = new ComputationGraph(g.build());
            graph.init();
            Network net = Network.of(graph);
            TorchInit.apply(net, config.seed());
            return net;
        }

        @Override
        public List<Batch> batches(int epoch) {
            SplittableRandom rng = Seeds.random(config.seed(), "order", epoch);
            List<Batch> out = new ArrayList<>();
            for (int pass = 0; pass < PASSES_PER_EPOCH; pass++) {
                int[] order = new int[PAIRS.length];
                Arrays.setAll(order, i -> i);
                for (int i = order.length - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1);
                    int tmp = order[i];
                    order[i] = order[j];
                    order[j] = tmp;
                }
                for (int from = 0; from < order.length; from += config.batch()) {
                    int[] chunk = Arrays.copyOfRange(order, from, Math.min(order.length, from + config.batch()));
                    // The seed sums each pair's mean cross-entropy over the batch.
                    out.add(new Batch(null, encode(chunk), chunk.length, WORD + 1, 1, 1.0 / (WORD + 1)));
                }
            }
            return out;
        }

        @Override
        public Evaluation evaluate(Network net) {
            double loss = net.graph().score(all, false) / (PAIRS.length * (WORD + 1.0));
            String[] words = Arrays.stream(PAIRS).map(p -> p[0]).toArray(String[]::new);
            String[] got = translate(net, words);
            int right = 0;
            for (int i = 0; i < PAIRS.length; i++) {
                right += got[i].equals(PAIRS[i][1]) ? 1 : 0;
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("translation_accuracy", right / (double) PAIRS.length);
            return new Evaluation(loss, metrics);
        }

        @Override
        public List<String> report(Network net) {
            List<String> lines = new ArrayList<>();
            String[] words = Arrays.stream(PAIRS).map(p -> p[0]).toArray(String[]::new);
            String[] got = translate(net, words);
            StringBuilder seen = new StringBuilder("translations:");
            for (int i = 0; i < words.length; i++) {
                seen.append(' ').append(words[i]).append("->").append(got[i])
                        .append(got[i].equals(PAIRS[i][1]) ? "" : " (want " + PAIRS[i][1] + ")");
            }
            lines.add(seen.toString());
            String[] unseen = translate(net, UNSEEN);
            StringBuilder other = new StringBuilder("unseen words:");
            for (int i = 0; i < UNSEEN.length; i++) {
                other.append(' ').append(UNSEEN[i]).append("->").append(unseen[i]);
            }
            lines.add(other.toString());
            return lines;
        }
    }

    /** Translates words of at most 5 letters by greedy decoding, all words in one batch. */
    static String[] translate(Network network, String[] words) {
        ComputationGraph graph = network.graph();
        int n = words.length;
        int v = LETTERS.length();
        int[][] enc = new int[n][];
        for (int i = 0; i < n; i++) {
            enc[i] = letters(pad(words[i]) + "E");
        }
        INDArray encoder = OneHot.encode(enc, v, DataType.FLOAT);
        int[][] fed = new int[n][WORD + 1];
        StringBuilder[] out = new StringBuilder[n];
        boolean[] done = new boolean[n];
        for (int i = 0; i < n; i++) {
            fed[i][0] = LETTERS.indexOf('S');
            out[i] = new StringBuilder();
        }
        for (int step = 1; step <= WORD + 1; step++) {
            int[][] prefix = new int[n][];
            for (int i = 0; i < n; i++) {
                prefix[i] = Arrays.copyOf(fed[i], step);
            }
            INDArray output = graph.output(false, encoder, OneHot.encode(prefix, v, DataType.FLOAT))[0];
            for (int i = 0; i < n; i++) {
                int next = OneHot.argmax(output, i, step - 1);
                if (step < WORD + 1) {
                    fed[i][step] = next;
                }
                if (done[i]) {
                    continue;
                }
                if (LETTERS.charAt(next) == 'E') {
                    done[i] = true;
                } else {
                    out[i].append(LETTERS.charAt(next));
                }
            }
        }
        return Arrays.stream(out).map(s -> s.toString().replace("?", "")).toArray(String[]::new);
    }
}
