package io.rnnsweep.nn;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * DL4J's {@link RnnOutputLayer} configuration, unchanged, instantiated as a {@link FastRnnOutputLayer}: the same
 * parameters, loss and score, with softmax + cross-entropy or identity + mean squared error computed in one pass on
 * the CPU in single precision.
 */
public final class FastRnnOutput extends RnnOutputLayer {
    private static final long serialVersionUID = 1L;

    /** For JSON deserialization. */
    public FastRnnOutput() {
        super();
    }

    /** The same configuration as {@code stock} (every field, through DL4J's JSON form), as a fast output layer. */
    public static FastRnnOutput of(RnnOutputLayer stock) {
        ObjectMapper mapper = NeuralNetConfiguration.mapper();
        ObjectNode tree = mapper.valueToTree(stock);
        tree.put("@class", FastRnnOutput.class.getName());
        try {
            return (FastRnnOutput) mapper.treeToValue(tree, org.deeplearning4j.nn.conf.layers.Layer.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot copy the output layer's configuration", e);
        }
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        return LayerWiring.wire(this, new FastRnnOutputLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView,
                initializer(), initializeParams);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FastRnnOutput && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + 1;
    }
}
