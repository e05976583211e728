package io.rnnsweep.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The parameters of a {@link FastRecurrent} layer in one flat view: {@code W} [nIn, g·n], {@code RW} [n, g·n]
 * (both column-major, as DL4J's recurrent layers keep them), {@code b} [g·n] and {@code RB} [g·n] (PyTorch's
 * {@code b_ih} and {@code b_hh}).
 * Initial values follow the layer's configuration as DL4J's recurrent layers do: {@code W} by its weight
 * initialization, {@code RW} by its recurrent one (the weight initialization when unset), the biases at its bias
 * initialization (rnnsweep's tasks then initialize like PyTorch, see TorchInit).
 */
final class FastRecurrentParams implements ParamInitializer {
    static final FastRecurrentParams INSTANCE = new FastRecurrentParams();
    static final String W = "W";
    static final String RW = "RW";
    static final String B = "b";
    static final String RB = "RB";

    private FastRecurrentParams() {
    }

    private static FastRecurrent conf(Layer layer) {
        return (FastRecurrent) layer;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        FastRecurrent c = conf(layer);
        long n = c.getNOut();
        long g = c.gates();
        return c.getNIn() * g * n + n * g * n + 2 * g * n;
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        List<String> keys = new ArrayList<>(weightKeys(layer));
        keys.addAll(biasKeys(layer));
        return keys;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return List.of(W, RW);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return List.of(B, RB);
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return W.equals(key) || RW.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return B.equals(key) || RB.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        Map<String, INDArray> m = subsets(conf.getLayer(), paramsView);
        if (initializeParams) {
            FastRecurrent c = conf(conf.getLayer());
            long nIn = c.getNIn();
            long n = c.getNOut();
            long gn = c.gates() * n;
            IWeightInit input = c.getWeightInitFn();
            IWeightInit recurrent = c.getWeightInitFnRecurrent() != null ? c.getWeightInitFnRecurrent() : input;
            input.init(nIn, gn, new long[] {nIn, gn}, 'f', m.get(W));
            recurrent.init(n, gn, new long[] {n, gn}, 'f', m.get(RW));
            m.get(B).assign(c.getBiasInit());
            m.get(RB).assign(c.getBiasInit());
        }
        for (String key : m.keySet()) {
            conf.addVariable(key);
        }
        return m;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return subsets(conf.getLayer(), gradientView);
    }

    private static Map<String, INDArray> subsets(Layer layer, INDArray flat) {
        FastRecurrent c = conf(layer);
        long nIn = c.getNIn();
        long n = c.getNOut();
        long g = c.gates();
        INDArray v = flat.reshape(flat.length());
        Map<String, INDArray> m = new LinkedHashMap<>();
        long pos = 0;
        m.put(W, v.get(NDArrayIndex.interval(pos, pos + nIn * g * n)).reshape('f', nIn, g * n));
        pos += nIn * g * n;
        m.put(RW, v.get(NDArrayIndex.interval(pos, pos + n * g * n)).reshape('f', n, g * n));
        pos += n * g * n;
        m.put(B, v.get(NDArrayIndex.interval(pos, pos + g * n)));
        pos += g * n;
        m.put(RB, v.get(NDArrayIndex.interval(pos, pos + g * n)));
        return m;
    }
}
