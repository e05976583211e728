package io.rnnsweep.nn;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What every DL4J layer configuration's {@code instantiate} does, in DL4J's order. */
final class LayerWiring {
    private LayerWiring() {
    }

    /**
     * Checks that the configuration has its sizes, then gives the new layer its listeners, index, parameter view
     * (initialised by {@code params} when asked) and configuration, and returns it.
     */
    static Layer wire(FeedForwardLayer config, Layer layer, NeuralNetConfiguration conf,
                      Collection<TrainingListener> listeners, int index, INDArray paramsView, ParamInitializer params,
                      boolean initializeParams) {
        LayerValidation.assertNInNOutSet(config.getClass().getSimpleName(), config.getLayerName(), index,
                config.getNIn(), config.getNOut());
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(params.init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
