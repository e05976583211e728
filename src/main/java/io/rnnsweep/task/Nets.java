package io.rnnsweep.task;

import io.rnnsweep.nn.FastRecurrent;
import io.rnnsweep.nn.FastRnnOutput;
import io.rnnsweep.trial.Cell;
import io.rnnsweep.trial.TrialConfig;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** The DL4J configuration pieces every task shares: base settings, updaters, recurrent layers, stacks. */
final class Nets {
    private Nets() {
    }

    /**
     * Returns the base configuration: seeded, the given precision, and {@code miniBatch(false)} so that score
     * and gradient are sums over tokens (the trainer rescales them to the seed's objective, see {@link Batch}).
     */
    static NeuralNetConfiguration.Builder base(TrialConfig c, DataType type) {
        return new NeuralNetConfiguration.Builder()
                .seed(c.seed())
                .dataType(type)
                .miniBatch(false)
                .updater(updater(c))
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED);
    }

    /** Returns the optimizer with PyTorch's defaults besides the learning rate. */
    static IUpdater updater(TrialConfig c) {
        return switch (c.optimizer()) {
            case SGD -> new Sgd(c.lr());
            case ADAM -> new Adam(c.lr(), 0.9, 0.999, 1e-8);
        };
    }

    /**
     * Returns one recurrent layer of the trial's cell: rnnsweep's {@link FastRecurrent} (RNN with tanh, LSTM,
     * GRU), or DL4J's {@code SimpleRnn} for a simple RNN with another nonlinearity ({@code activation}).
     */
    static Layer recurrent(TrialConfig c, int nIn, int nOut, Activation activation) {
        if (c.cell() == Cell.RNN && activation != Activation.TANH) {
            return new SimpleRnn.Builder().nIn(nIn).nOut(nOut).activation(activation).dataFormat(RNNFormat.NCW).build();
        }
        return new FastRecurrent.Builder().cell(c.cell()).nIn(nIn).nOut(nOut).dataFormat(RNNFormat.NCW).build();
    }

    /** Returns DL4J's stock recurrent layer of the trial's cell (RNN or LSTM; DL4J has no GRU). */
    static Layer stockRecurrent(TrialConfig c, int nIn, int nOut, Activation activation) {
        return switch (c.cell()) {
            case RNN -> new SimpleRnn.Builder().nIn(nIn).nOut(nOut).activation(activation)
                    .dataFormat(RNNFormat.NCW).build();
            case LSTM -> new LSTM.Builder().nIn(nIn).nOut(nOut).activation(Activation.TANH)
                    .gateActivationFunction(Activation.SIGMOID).dataFormat(RNNFormat.NCW).build();
            case GRU -> throw new IllegalArgumentException("DL4J has no GRU layer");
        };
    }

    /**
     * Builds {@code layers} recurrent layers over {@code nIn} one-hot (or real) inputs and a per-step output
     * layer, initialized as PyTorch would from the trial seed.
     *
     * @param tbpttLength window length for truncated BPTT over long sequences, or 0 for full backprop
     */
    static Network stack(TrialConfig c, DataType type, int nIn, Activation hiddenActivation, int nOut,
                         Activation outputActivation, LossFunction loss, int tbpttLength) {
        NeuralNetConfiguration.ListBuilder list = base(c, type).list();
        int in = nIn;
        for (int i = 0; i < c.layers(); i++) {
            list.layer(recurrent(c, in, c.hidden(), hiddenActivation));
            in = c.hidden();
        }
        // DL4J's output layer, computed in one pass for softmax + cross-entropy and identity + MSE (FastRnnOutput
        // falls back to DL4J's code otherwise).
        list.layer(FastRnnOutput.of(new RnnOutputLayer.Builder(loss).nIn(in).nOut(nOut).activation(outputActivation)
                .dataFormat(RNNFormat.NCW).build()));
        if (tbpttLength > 0) {
            list.backpropType(BackpropType.TruncatedBPTT).tBPTTForwardLength(tbpttLength)
                    .tBPTTBackwardLength(tbpttLength);
        }
        MultiLayerConfiguration conf = list.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Network network = Network.of(net);
        TorchInit.apply(network, c.seed());
        return network;
    }
}
