package io.rnnsweep.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures the single-precision matrix multiply rate ND4J's BLAS reaches on this machine: the ceiling a
 * trainer's throughput is compared to.
 */
public final class SgemmPeak {
    private SgemmPeak() {
    }

    /**
     * Multiplies two {@code size}×{@code size} float matrices {@code repeats} times (after one warm-up) on the
     * given threads and returns the rate in GFLOP/s (2·size³ per multiply).
     */
    public static double gflops(int size, int repeats, int threads) {
        ThreadBinding.apply(threads);
        Nd4j.getRandom().setSeed(0);
        INDArray a = Nd4j.rand(DataType.FLOAT, size, size);
        INDArray b = Nd4j.rand(DataType.FLOAT, size, size);
        INDArray c = Nd4j.create(DataType.FLOAT, new long[] {size, size}, 'f');
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        long t0 = System.nanoTime();
        for (int i = 0; i < repeats; i++) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return 2.0 * size * size * size * repeats / seconds / 1e9;
    }
}
