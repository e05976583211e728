package io.rnnsweep.train;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Limits ND4J's native thread pools and OpenBLAS to the threads a trial was given.
 *
 * <p>The native pools are sized from {@code OMP_NUM_THREADS} when the library loads and can only be lowered
 * from inside the JVM afterwards, so launchers set it to the trial's threads (jobs/rnnsweep, Surefire, Spark
 * executors); this then applies the trial's count to ND4J's environment and BLAS.
 */
public final class ThreadBinding {
    private ThreadBinding() {
    }

    /**
     * Applies the thread count to ND4J's environment and its BLAS.
     *
     * @return the thread count in effect, lower than asked when the process's pool is smaller
     */
    public static int apply(int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        return current();
    }

    /** Returns the thread count ND4J reports it may use. */
    public static int current() {
        return Nd4j.getEnvironment().maxThreads();
    }
}
