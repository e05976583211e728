package io.rnnsweep.task;

import io.rnnsweep.trial.Cell;
import io.rnnsweep.trial.Divergence;
import io.rnnsweep.trial.OptimizerKind;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Learning to map "hello" to "ohlol": embedding 10, a stack of recurrent layers, 4 classes (e, h, l, o).
 *
 * <p>As in the seed, an epoch is one Adam step on the single sequence, and the loss is PyTorch's mean
 * cross-entropy over its five characters.
 */
public final class HelloTask implements RnnTask {
    /** The vocabulary, in the seed's order. */
    static final String VOCABULARY = "ehlo";
    /** The input word. */
    static final String INPUT = "hello";
    /** The word to predict. */
    static final String TARGET = "ohlol";
    /** Embedding size of the seed. */
    static final int EMBEDDING = 10;

    @Override
    public TaskName name() {
        return TaskName.HELLO;
    }

    @Override
    public String summary() {
        return "\"hello\" -> \"ohlol\": embedding 10, 2-layer RNN hidden 8, Adam lr 0.05, 15 epochs;"
                + " seed: loss ~1.3 -> ~0.01, predicts ohlol";
    }

    @Override
    public TrialConfig defaults() {
        return new TrialConfig(TaskName.HELLO, 8, 2, Cell.RNN, OptimizerKind.ADAM, 0.05, OptionalDouble.empty(),
                1, INPUT.length(), 15, 0, 1, Optional.empty());
    }

    @Override
    public Set<TrialOption> options() {
        return EnumSet.of(TrialOption.HIDDEN, TrialOption.LAYERS, TrialOption.CELL, TrialOption.OPTIMIZER,
                TrialOption.LR, TrialOption.CLIP, TrialOption.EPOCHS, TrialOption.SEED, TrialOption.THREADS);
    }

    @Override
    public List<String> metrics() {
        return List.of("accuracy", "exact_match");
    }

    /** Uniform prediction over the 4 letters: ln 4 nats per letter. */
    @Override
    public Optional<Divergence.Baseline> noSkill(TrialConfig config) {
        return Optional.of(new Divergence.Baseline(Math.log(VOCABULARY.length()), "ln " + VOCABULARY.length()));
    }

    @Override
    public LossKind loss() {
        return LossKind.CROSS_ENTROPY;
    }

    @Override
    public TaskSession open(TrialConfig config) {
        return new Session(config);
    }

    private static int[] indices(String word) {
        return word.chars().map(VOCABULARY::indexOf).toArray();
    }

    private static final class Session implements TaskSession {
        private final TrialConfig config;
        private final DataSet data;

        Session(TrialConfig config) {
            this.config = config;
            int[] x = indices(INPUT);
            INDArray features = Nd4j.create(DataType.FLOAT, 1, x.length);
            for (int t = 0; t < x.length; t++) {
                features.putScalar(0, t, x[t]);
            }
            INDArray labels = OneHot.encode(new int[][] {indices(TARGET)}, VOCABULARY.length(), DataType.FLOAT);
            this.data = new DataSet(features, labels);
        }

        @Override
        public Network newNetwork() {
            NeuralNetConfiguration.ListBuilder list = Nets.base(config, DataType.FLOAT).list();
            list.layer(new EmbeddingSequenceLayer.Builder().nIn(VOCABULARY.length()).nOut(EMBEDDING)
                    .inputLength(INPUT.length()).hasBias(false).outputDataFormat(RNNFormat.NCW).build());
            int in = EMBEDDING;
            for (int i = 0; i < config.layers(); i++) {
                list.layer(Nets.recurrent(config, in, config.hidden(), Activation.TANH));
                in = config.hidden();
            }
            list.layer(new RnnOutputLayer.Builder(LossFunction.MCXENT).nIn(in).nOut(VOCABULARY.length())
                    .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build());
            MultiLayerNetwork net = new MultiLayerNetwork(list.build());
            net.init();
            Network network = Network.of(net);
            TorchInit.apply(network, config.seed());
            return network;
        }

        @Override
        public List<Batch> batches(int epoch) {
            return List.of(Batch.meanOver(data, INPUT.length(), 1));
        }

        @Override
        public Evaluation evaluate(Network net) {
            double loss = net.layers().score(data, false) / INPUT.length();
            String predicted = predict(net);
            int correct = 0;
            for (int i = 0; i < TARGET.length(); i++) {
                correct += predicted.charAt(i) == TARGET.charAt(i) ? 1 : 0;
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("accuracy", correct / (double) TARGET.length());
            metrics.put("exact_match", predicted.equals(TARGET) ? 1.0 : 0.0);
            return new Evaluation(loss, metrics);
        }

        String predict(Network net) {
            INDArray out = net.layers().output(data.getFeatures(), false);
            StringBuilder s = new StringBuilder();
            for (int t = 0; t < TARGET.length(); t++) {
                s.append(VOCABULARY.charAt(OneHot.argmax(out, 0, t)));
            }
            return s.toString();
        }

        @Override
        public List<String> report(Network net) {
            return List.of("predicted: " + INPUT + " -> " + predict(net) + " (target " + TARGET + ")");
        }
    }
}
