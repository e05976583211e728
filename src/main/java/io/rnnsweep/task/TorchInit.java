package io.rnnsweep.task;

import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Initializes a DL4J network's parameters the way the seeds' PyTorch modules are initialized, from a seed.
 *
 * <p>{@code nn.RNN}/{@code nn.LSTM}: every weight and bias uniform in ±1/√hidden. {@code nn.Linear}: weight
 * and bias uniform in ±1/√fan_in. {@code nn.Embedding}: standard normal. The draws come from a generator
 * derived from the trial seed, in layer and parameter order, so the same seed gives the same network.
 */
public final class TorchInit {
    private TorchInit() {
    }

    /** Applies PyTorch's default initialization to every layer of the network. */
    public static void apply(Network net, long trialSeed) {
        SplittableRandom rng = Seeds.random(trialSeed, "init");
        for (Layer layer : net.allLayers()) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            Map<String, INDArray> params = layer.paramTable();
            if (conf instanceof EmbeddingSequenceLayer) {
                params.forEach((key, arr) -> fill(arr, key.equals("W") ? rng : null, 0, true));
            } else if (conf instanceof BaseRecurrentLayer r) {
                double bound = 1.0 / Math.sqrt(r.getNOut());
                params.values().forEach(arr -> fill(arr, rng, bound, false));
            } else if (conf instanceof FeedForwardLayer f) {
                double bound = 1.0 / Math.sqrt(f.getNIn());
                params.values().forEach(arr -> fill(arr, rng, bound, false));
            }
        }
    }

    /** Sets every parameter of the network uniform in ±bound (the NumPy seeds' {@code 2*rand-1} is bound 1). */
    public static void uniform(Network net, long trialSeed, double bound) {
        SplittableRandom rng = Seeds.random(trialSeed, "init");
        for (Layer layer : net.allLayers()) {
            layer.paramTable().values().forEach(arr -> fill(arr, rng, bound, false));
        }
    }

    private static void fill(INDArray target, SplittableRandom rng, double bound, boolean gaussian) {
        double[] values = new double[(int) target.length()];
        if (rng != null) {
            for (int i = 0; i < values.length; i++) {
                values[i] = gaussian ? gaussian(rng) : (rng.nextDouble() * 2 - 1) * bound;
            }
        }
        target.assign(Nd4j.create(values, target.shape()).castTo(target.dataType()));
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
