package io.rnnsweep.task;

import io.rnnsweep.trial.Cell;
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
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * The seed's fixed-weight check of a simple recurrent network, in double precision; nothing is trained.
 *
 * <p>A 2-2-2 network (input 2, hidden 2, output 2), every weight 1 and every bias 0, zero initial state, fed
 * [1,1], [1,1], [2,2]. Without a hidden activation the outputs are 4, 12, 32; with tanh they are
 * 1.9280551601516338, 1.9984510891336251, 1.9999753470497836 (the output layer stays linear).
 */
public final class SrnTask implements RnnTask {
    /** The seed's input sequence, one row per time step. */
    static final double[][] INPUT = {{1, 1}, {1, 1}, {2, 2}};

    @Override
    public TaskName name() {
        return TaskName.SRN;
    }

    @Override
    public String summary() {
        return "fixed-weight 2-2-2 simple RNN, weights 1, biases 0, inputs [1,1],[1,1],[2,2]; no training;"
                + " outputs 4, 12, 32 (linear) and 1.92805516..., 1.99845109..., 1.99997535... (tanh)";
    }

    @Override
    public TrialConfig defaults() {
        return new TrialConfig(TaskName.SRN, 2, 1, Cell.RNN, OptimizerKind.SGD, 1.0, OptionalDouble.empty(),
                1, INPUT.length, 1, 0, 1, Optional.empty());
    }

    @Override
    public Set<TrialOption> options() {
        return EnumSet.of(TrialOption.THREADS);
    }

    @Override
    public List<String> metrics() {
        return List.of();
    }

    @Override
    public LossKind loss() {
        return LossKind.NONE;
    }

    @Override
    public TaskSession open(TrialConfig config) {
        return new Session(config);
    }

    /** Builds the fixed-weight network with the given hidden activation. */
    static Network network(TrialConfig config, Activation hidden) {
        MultiLayerNetwork net = new MultiLayerNetwork(Nets.base(config, DataType.DOUBLE).list()
                .layer(new SimpleRnn.Builder().nIn(2).nOut(2).activation(hidden).dataFormat(RNNFormat.NCW).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).nIn(2).nOut(2).activation(Activation.IDENTITY)
                        .dataFormat(RNNFormat.NCW).build())
                .build());
        net.init();
        for (Layer layer : net.getLayers()) {
            layer.paramTable().forEach((key, value) -> value.assign(key.equals("b") ? 0.0 : 1.0));
        }
        return Network.of(net);
    }

    /** Returns the network's outputs per time step ({@code [step][unit]}) for the seed's input. */
    public static double[][] outputs(Activation hidden) {
        try (Network net = network(new SrnTask().defaults(), hidden)) {
            INDArray x = Nd4j.create(DataType.DOUBLE, 1, 2, INPUT.length);
            for (int t = 0; t < INPUT.length; t++) {
                x.putScalar(new long[] {0, 0, t}, INPUT[t][0]);
                x.putScalar(new long[] {0, 1, t}, INPUT[t][1]);
            }
            INDArray y = net.layers().output(x, false);
            double[][] out = new double[INPUT.length][2];
            for (int t = 0; t < INPUT.length; t++) {
                out[t][0] = y.getDouble(0, 0, t);
                out[t][1] = y.getDouble(0, 1, t);
            }
            return out;
        }
    }

    private static final class Session implements TaskSession {
        private final TrialConfig config;

        Session(TrialConfig config) {
            this.config = config;
        }

        @Override
        public Network newNetwork() {
            return network(config, Activation.TANH);
        }

        @Override
        public List<Batch> batches(int epoch) {
            return List.of();
        }

        @Override
        public Evaluation evaluate(Network net) {
            return new Evaluation(Double.NaN, Map.of());
        }

        @Override
        public List<String> report(Network net) {
            List<String> lines = new ArrayList<>();
            lines.add("srn 2-2-2, weights 1, biases 0, inputs [1,1] [1,1] [2,2]");
            lines.add(line("no activation", outputs(Activation.IDENTITY)));
            lines.add(line("tanh", outputs(Activation.TANH)));
            return lines;
        }

        private static String line(String label, double[][] out) {
            StringBuilder s = new StringBuilder(String.format("%-14s", label + ":"));
            for (int t = 0; t < out.length; t++) {
                s.append(" step ").append(t + 1).append(" = ").append(Double.toString(out[t][0]));
            }
            return s.toString();
        }
    }
}
