package io.rnnsweep.task;

import io.rnnsweep.trial.Cell;
import io.rnnsweep.trial.Divergence;
import io.rnnsweep.trial.OptimizerKind;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Adding two binary numbers bit by bit, least significant bit first (the NumPy seed).
 *
 * <p>The seed's network: input 2 (one bit of each operand), sigmoid hidden layer of 16 without biases, one
 * sigmoid output without bias, weights uniform in ±1, plain SGD with lr 0.1 on single examples, 10 000
 * steps. Its loss is half the squared error summed over the bits, which is what the learning rate applies
 * to here too. With {@code seq-len} bits the operands are below 2^(bits-1), so the sum fits. An epoch is
 * {@value #STEPS_PER_EPOCH} steps; 1000 pairs (at most half of all pairs) are held out, never trained on, and
 * scored for bit accuracy and exact-sum accuracy.
 */
public final class BinaryAdditionTask implements RnnTask {
    /** Optimizer steps per epoch. */
    static final int STEPS_PER_EPOCH = 1000;
    /** Held-out pairs (fewer when there are fewer than twice as many pairs). */
    static final int HELD_OUT = 1000;

    @Override
    public TaskName name() {
        return TaskName.BINARY_ADDITION;
    }

    @Override
    public String summary() {
        return "8-bit binary addition, LSB first: input 2, sigmoid hidden 16, output 1, no biases, SGD lr 0.1 on"
                + " single examples, 10 000 steps; seed: exact sums on 100% of held-out pairs";
    }

    @Override
    public TrialConfig defaults() {
        return new TrialConfig(TaskName.BINARY_ADDITION, 16, 1, Cell.RNN, OptimizerKind.SGD, 0.1,
                OptionalDouble.empty(), 1, 8, 10, 0, 1, Optional.empty());
    }

    @Override
    public Set<TrialOption> options() {
        return EnumSet.complementOf(EnumSet.of(TrialOption.CORPUS));
    }

    @Override
    public List<String> metrics() {
        return List.of("bit_accuracy", "exact_accuracy");
    }

    /** Predicting 0.5 for every bit: half the squared error 0.25, summed over the seq-len bits. */
    @Override
    public Optional<Divergence.Baseline> noSkill(TrialConfig config) {
        return Optional.of(new Divergence.Baseline(config.seqLen() * 0.125, config.seqLen() + " bits x 0.5^2 / 2"));
    }

    @Override
    public LossKind loss() {
        return LossKind.SQUARED_ERROR;
    }

    @Override
    public TaskSession open(TrialConfig config) {
        if (config.seqLen() < 3 || config.seqLen() > 31) {
            throw TrialOption.SEQ_LEN.invalid(config.seqLen() + " (binary-addition takes 3 to 31 bits)");
        }
        return new Session(config);
    }

    /** Returns the bits of {@code value}, least significant first. */
    static int bit(long value, int position) {
        return (int) ((value >>> position) & 1);
    }

    private static final class Session implements TaskSession {
        private final TrialConfig config;
        private final int bits;
        private final long operandLimit;
        private final long[][] heldOut;
        private final Set<Long> heldOutCodes = new HashSet<>();
        private final DataSet heldOutSet;

        Session(TrialConfig config) {
            this.config = config;
            this.bits = config.seqLen();
            this.operandLimit = 1L << (bits - 1);
            long pairs = operandLimit * operandLimit;
            int n = (int) Math.min(HELD_OUT, pairs / 2);
            SplittableRandom rng = Seeds.random(config.seed(), "held-out");
            heldOut = new long[n][];
            int filled = 0;
            while (filled < n) {
                long a = rng.nextLong(operandLimit);
                long b = rng.nextLong(operandLimit);
                if (heldOutCodes.add(a * operandLimit + b)) {
                    heldOut[filled++] = new long[] {a, b};
                }
            }
            heldOutSet = encode(heldOut);
        }

        private DataSet encode(long[][] pairs) {
            INDArray x = Nd4j.create(DataType.FLOAT, pairs.length, 2, bits);
            INDArray y = Nd4j.create(DataType.FLOAT, pairs.length, 1, bits);
            for (int r = 0; r < pairs.length; r++) {
                long a = pairs[r][0];
                long b = pairs[r][1];
                long c = a + b;
                for (int t = 0; t < bits; t++) {
                    x.putScalar(new long[] {r, 0, t}, bit(a, t));
                    x.putScalar(new long[] {r, 1, t}, bit(b, t));
                    y.putScalar(new long[] {r, 0, t}, bit(c, t));
                }
            }
            return new DataSet(x, y);
        }

        @Override
        public Network newNetwork() {
            Network net = Nets.stack(config, DataType.FLOAT, 2, Activation.SIGMOID, 1, Activation.SIGMOID,
                    LossFunction.MSE, 0);
            TorchInit.uniform(net, config.seed(), 1.0);
            Layer[] layers = net.allLayers();
            for (int i = 0; i < layers.length; i++) {
                INDArray bias = layers[i].paramTable().get("b");
                if (bias != null) {
                    bias.assign(0);
                }
            }
            return net;
        }

        @Override
        public Set<String> frozenParameters() {
            Set<String> keys = new HashSet<>();
            for (int i = 0; i <= config.layers(); i++) {
                keys.add(i + "_b");
            }
            return keys;
        }

        @Override
        public List<Batch> batches(int epoch) {
            SplittableRandom rng = Seeds.random(config.seed(), "pairs", epoch);
            List<Batch> out = new ArrayList<>(STEPS_PER_EPOCH);
            for (int s = 0; s < STEPS_PER_EPOCH; s++) {
                long[][] pairs = new long[config.batch()][];
                for (int i = 0; i < pairs.length; i++) {
                    long a;
                    long b;
                    do {
                        a = rng.nextLong(operandLimit);
                        b = rng.nextLong(operandLimit);
                    } while (heldOutCodes.contains(a * operandLimit + b));
                    pairs[i] = new long[] {a, b};
                }
                // The seed's loss: half the squared error, summed over the bits, of one example (mean over examples).
                out.add(new Batch(encode(pairs), null, pairs.length, bits, 1, 0.5 / pairs.length));
            }
            return out;
        }

        @Override
        public Evaluation evaluate(Network net) {
            return score(net.layers().output(heldOutSet.getFeatures(), false));
        }

        /** Scores the network's outputs on the held-out pairs. */
        private Evaluation score(INDArray out) {
            INDArray labels = heldOutSet.getLabels();
            long bitsRight = 0;
            long exact = 0;
            double squared = 0;
            for (int r = 0; r < heldOut.length; r++) {
                boolean all = true;
                for (int t = 0; t < bits; t++) {
                    double p = out.getDouble(r, 0, t);
                    double y = labels.getDouble(r, 0, t);
                    squared += (p - y) * (p - y);
                    boolean right = (p >= 0.5 ? 1 : 0) == (int) y;
                    bitsRight += right ? 1 : 0;
                    all &= right;
                }
                exact += all ? 1 : 0;
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("bit_accuracy", bitsRight / (double) (heldOut.length * (long) bits));
            metrics.put("exact_accuracy", exact / (double) heldOut.length);
            return new Evaluation(squared / (heldOut.length * (double) bits), metrics);
        }

        @Override
        public List<String> report(Network net) {
            INDArray out = net.layers().output(heldOutSet.getFeatures(), false);
            Evaluation e = score(out);
            List<String> lines = new ArrayList<>();
            lines.add(String.format(java.util.Locale.ROOT, "held-out pairs: %d, exact sums %.1f%%, bits %.2f%%",
                    heldOut.length, 100 * e.metrics().get("exact_accuracy"), 100 * e.metrics().get("bit_accuracy")));
            for (int r = 0; r < Math.min(3, heldOut.length); r++) {
                long predicted = 0;
                for (int t = 0; t < bits; t++) {
                    predicted |= (out.getDouble(r, 0, t) >= 0.5 ? 1L : 0L) << t;
                }
                lines.add("  " + heldOut[r][0] + " + " + heldOut[r][1] + " = " + predicted
                        + (predicted == heldOut[r][0] + heldOut[r][1] ? "" : " (wrong)"));
            }
            return lines;
        }
    }
}
