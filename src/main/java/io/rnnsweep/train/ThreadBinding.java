package io.rnnsweep.train;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Limits ND4J's native thread pools and OpenBLAS to the threads a trial was given.
 *
 * <p>The OpenMP pool reads {@code OMP_NUM_THREADS} when the native library loads, so launchers set it too;
 * this sets what can still be set from inside the JVM.
 */
public final class ThreadBinding {
    private ThreadBinding() {
    }

    /** Applies the thread count to ND4J's environment and its BLAS. */
    public static void apply(int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    /** Returns the thread count ND4J reports it may use. */
    public static int current() {
        return Nd4j.getEnvironment().maxThreads();
    }
}
