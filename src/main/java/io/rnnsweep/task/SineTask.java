package io.rnnsweep.task;

import io.rnnsweep.trial.Cell;
import io.rnnsweep.trial.Divergence;
import io.rnnsweep.trial.OptimizerKind;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SplittableRandom;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Next-step prediction of {@code sin} sampled at {@code seq-len} points of {@code linspace(s, s + 10)}.
 *
 * <p>As in the seed, each step trains on a series whose start {@code s} is drawn from {0, 1, 2}, with PyTorch's
 * mean squared error, and the hidden state is carried (detached) from one step's series to the next, as the
 * seed's {@code hidden_prev} is: DL4J's truncated BPTT over the epoch's series laid end to end, one window per
 * series. The network therefore cannot lean on a zero initial state and has to learn the wave itself. An
 * epoch is {@value #STEPS_PER_EPOCH} steps (the seed's 5000 steps are 50 epochs; the state restarts from zero
 * at each epoch). The train loss is the seed's figure: the MSE while training, state carried. Test MSE is
 * measured on unseen phases, the series from 0.5, 1.5 and 2.5, after the network has read the preceding 10
 * units of the same wave ({@code linspace(s - 10, s)}, not scored) so that its state is the wave's own rather
 * than zero: a single value cannot tell a rising from a falling sine. {@code train_mse} is the same measure
 * on the training starts 0, 1, 2.
 */
public final class SineTask implements RnnTask {
    /** Optimizer steps per epoch. */
    static final int STEPS_PER_EPOCH = 100;
    /** Span of each sequence. */
    static final double SPAN = 10.0;
    private static final double[] TRAIN_STARTS = {0, 1, 2};
    private static final double[] TEST_STARTS = {0.5, 1.5, 2.5};

    @Override
    public TaskName name() {
        return TaskName.SINE;
    }

    @Override
    public String summary() {
        return "next value of sin on 20 points of linspace(s, s+10), s in {0,1,2}: RNN(1->10) + linear, Adam 1e-3,"
                + " 5000 steps; seed: MSE ~0.004-0.008";
    }

    @Override
    public TrialConfig defaults() {
        return new TrialConfig(TaskName.SINE, 10, 1, Cell.RNN, OptimizerKind.ADAM, 1e-3, OptionalDouble.empty(),
                1, 20, 50, 0, 1, Optional.empty());
    }

    @Override
    public Set<TrialOption> options() {
        return EnumSet.complementOf(EnumSet.of(TrialOption.CORPUS));
    }

    @Override
    public List<String> metrics() {
        return List.of("test_mse", "train_mse");
    }

    /** Predicting 0 (about the wave's mean over its 1.6 periods): the mean square of sin, about 1/2. */
    @Override
    public Optional<Divergence.Baseline> noSkill(TrialConfig config) {
        return Optional.of(new Divergence.Baseline(0.5, "the mean square of sin, 1/2"));
    }

    @Override
    public LossKind loss() {
        return LossKind.SQUARED_ERROR;
    }

    @Override
    public TaskSession open(TrialConfig config) {
        if (config.seqLen() < 2) {
            throw TrialOption.SEQ_LEN.invalid(config.seqLen() + " (sine needs at least 2 points: one input, one target)");
        }
        return new Session(config);
    }

    /** Returns the inputs and next-step targets for sequences starting at the given points. */
    static DataSet sequences(double[] starts, int points) {
        return sequences(starts, points, 1);
    }

    /** Returns inputs and next-step targets over {@code windows} consecutive windows of {@code points} each. */
    static DataSet sequences(double[] starts, int points, int windows) {
        int steps = (points - 1) * windows;
        float[] x = new float[starts.length * steps];
        float[] y = new float[starts.length * steps];
        for (int r = 0; r < starts.length; r++) {
            series(starts[r], points, windows, x, y, r * steps);
        }
        long[] shape = {starts.length, 1, steps};
        return new DataSet(Nd4j.create(x, shape, 'c'), Nd4j.create(y, shape, 'c'));
    }

    /**
     * Writes the series from {@code start} over {@code windows} windows of {@code points} points (inputs: the
     * points but the last; targets: the points but the first) to {@code x} and {@code y} from {@code at}, in single
     * precision as ND4J stores them.
     */
    private static void series(double start, int points, int windows, float[] x, float[] y, int at) {
        int total = (points - 1) * windows + 1;
        for (int t = 0; t < total; t++) {
            float v = (float) Math.sin(start + SPAN * t / (points - 1));
            if (t < total - 1) {
                x[at + t] = v;
            }
            if (t > 0) {
                y[at + t - 1] = v;
            }
        }
    }

    private static final class Session implements TaskSession {
        private final TrialConfig config;
        private final DataSet trainSet;
        private final DataSet testSet;

        Session(TrialConfig config) {
            this.config = config;
            this.trainSet = withWarmUp(TRAIN_STARTS, config.seqLen());
            this.testSet = withWarmUp(TEST_STARTS, config.seqLen());
        }

        /** The series from each start, preceded by the window before it on the same wave. */
        private static DataSet withWarmUp(double[] starts, int points) {
            double[] earlier = new double[starts.length];
            for (int i = 0; i < starts.length; i++) {
                earlier[i] = starts[i] - SPAN;
            }
            return sequences(earlier, points, 2);
        }

        @Override
        public Network newNetwork() {
            return Nets.stack(config, DataType.FLOAT, 1, Activation.TANH, 1, Activation.IDENTITY, LossFunction.MSE,
                    config.seqLen() - 1);
        }

        @Override
        public List<Batch> batches(int epoch) {
            SplittableRandom rng = Seeds.random(config.seed(), "starts", epoch);
            int steps = config.seqLen() - 1;
            int length = steps * STEPS_PER_EPOCH;
            // Filled in Java and made into two arrays: not one array and two views per step.
            float[] xs = new float[config.batch() * length];
            float[] ys = new float[config.batch() * length];
            for (int s = 0; s < STEPS_PER_EPOCH; s++) {
                for (int i = 0; i < config.batch(); i++) {
                    series(TRAIN_STARTS[rng.nextInt(TRAIN_STARTS.length)], config.seqLen(), 1, xs, ys,
                            i * length + s * steps);
                }
            }
            long[] shape = {config.batch(), 1, length};
            INDArray x = Nd4j.create(xs, shape, 'c');
            INDArray y = Nd4j.create(ys, shape, 'c');
            return List.of(Batch.meanOver(new DataSet(x, y), steps, STEPS_PER_EPOCH));
        }

        /** Next-step MSE over the second window only; the first one warms the state up. */
        private double mse(Network net, DataSet data) {
            INDArray out = net.layers().output(data.getFeatures(), false);
            INDArray labels = data.getLabels();
            double sum = 0;
            long n = 0;
            for (int r = 0; r < labels.size(0); r++) {
                for (int t = config.seqLen() - 1; t < labels.size(2); t++) {
                    double d = out.getDouble(r, 0, t) - labels.getDouble(r, 0, t);
                    sum += d * d;
                    n++;
                }
            }
            return sum / n;
        }

        @Override
        public Evaluation evaluate(Network net) {
            return new Evaluation(mse(net, testSet), Map.of("train_mse", mse(net, trainSet), "test_mse", mse(net, testSet)));
        }

        @Override
        public List<String> report(Network net) {
            return List.of(String.format(java.util.Locale.ROOT, "train MSE %.6f (starts 0, 1, 2), test MSE %.6f"
                    + " (unseen starts 0.5, 1.5, 2.5), each after a warm-up window", mse(net, trainSet), mse(net, testSet)));
        }
    }
}
