package io.rnnsweep.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Lean updater blocks update parameters exactly as DL4J's own, with and without regularization. */
class LeanUpdaterTest {
    private static MultiLayerNetwork net(double l2) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Adam(0.01)).l2(l2).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build());
        MultiLayerConfiguration conf = b.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static INDArray trained(double l2, boolean lean) {
        MultiLayerNetwork net = net(l2);
        if (lean) {
            LeanUpdater.install(net);
            assertTrue(LeanUpdater.installed(net));
        } else {
            assertFalse(LeanUpdater.installed(net));
        }
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 4);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 3);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, i % 3, 1f);
        }
        for (int step = 0; step < 25; step++) {
            net.fit(new DataSet(x, y));
        }
        return net.params().dup();
    }

    @Test
    void leanBlocksGiveBitwiseTheParametersOfDl4jsOwnUpdaterWithoutRegularization() {
        INDArray plain = trained(0, false);
        INDArray lean = trained(0, true);
        assertEquals(plain, lean);
        assertNotEquals(net(0).params(), lean, "the steps changed the parameters");
    }

    @Test
    void leanBlocksStillApplyRegularizationWhereTheNetworkHasIt() {
        INDArray plain = trained(0.5, false);
        INDArray lean = trained(0.5, true);
        assertEquals(plain, lean);
        assertNotEquals(trained(0, true), lean, "l2 0.5 changes where the parameters go");
    }
}
