package io.rnnsweep.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The single-precision activations the CPU path's kernels use, against the exact functions. */
class CellKernelsTest {
    @Test
    void tanhIsWithinFourTenMillionthsOfTheExactValueEverywhere() {
        double worst = 0;
        for (int i = -2_000_000; i <= 2_000_000; i++) {
            float x = i / 100_000f;
            worst = Math.max(worst, Math.abs(CellKernels.tanh(x) - Math.tanh(x)));
            assertEquals(-CellKernels.tanh(x), CellKernels.tanh(-x), 0f, "odd at " + x);
        }
        assertTrue(worst < 4e-7, "largest error on [-20, 20]: " + worst);
        assertEquals(1f, CellKernels.tanh(1e30f), 1e-7f, "saturates");
        assertEquals(-1f, CellKernels.tanh(Float.NEGATIVE_INFINITY), 1e-7f, "saturates at -inf");
        assertEquals(0f, CellKernels.tanh(0f), 0f);
    }

    @Test
    void sigmoidIsWithinFourTenMillionthsOfTheExactValueEverywhere() {
        double worst = 0;
        for (int i = -3_000_000; i <= 3_000_000; i++) {
            float x = i / 100_000f;
            worst = Math.max(worst, Math.abs(CellKernels.sigmoid(x) - 1 / (1 + Math.exp(-x))));
        }
        assertTrue(worst < 4e-7, "largest error on [-30, 30]: " + worst);
        assertEquals(0.5f, CellKernels.sigmoid(0f), 0f);
    }
}
