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
        blasThreads(threads);
        return current();
    }

    /** The thread count this JVM last gave its BLAS library; 0 before the first trial. */
    private static int blasThreads;

    /**
     * Sets the BLAS library's (process-wide) thread count, unless it already is that count: OpenBLAS's setter
     * re-initialises its thread server each time (about 1 ms, once per trial otherwise).
     */
    private static synchronized void blasThreads(int threads) {
        if (blasThreads != threads) {
            Nd4j.factory().blas().setMaxThreads(threads);
            blasThreads = threads;
        }
    }

    /** Returns the thread count ND4J reports it may use. */
    public static int current() {
        return Nd4j.getEnvironment().maxThreads();
    }
}
