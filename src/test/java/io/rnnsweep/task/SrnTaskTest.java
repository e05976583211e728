package io.rnnsweep.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;

class SrnTaskTest {
    @Test
    void linearNetworkOutputsFourTwelveThirtyTwo() {
        double[][] out = SrnTask.outputs(Activation.IDENTITY);
        double[] expected = {4, 12, 32};
        for (int t = 0; t < 3; t++) {
            assertEquals(expected[t], out[t][0], 1e-12);
            assertEquals(expected[t], out[t][1], 1e-12);
        }
    }

    @Test
    void tanhNetworkMatchesTheSeedToOneInATrillion() {
        double[][] out = SrnTask.outputs(Activation.TANH);
        double[] expected = {1.9280551601516338, 1.9984510891336251, 1.9999753470497836};
        for (int t = 0; t < 3; t++) {
            assertEquals(expected[t], out[t][0], 1e-12);
            assertEquals(expected[t], out[t][1], 1e-12);
        }
    }
}
