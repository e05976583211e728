package io.rnnsweep.cli;

import io.rnnsweep.train.BlasChoice;
import io.rnnsweep.train.BlasLibrary;
import io.rnnsweep.train.SgemmPeak;
import io.rnnsweep.trial.InvalidOptionException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints the single-precision GEMM rate of ND4J's BLAS here: the ceiling jobs/bench-trainer.sh compares to. */
@Command(name = "sgemm", mixinStandardHelpOptions = true,
        description = "Measure ND4J's single-precision matrix multiply rate (GFLOP/s) on this machine.")
final class SgemmCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--size", paramLabel = "N", description = "square matrices of N x N (default 1024)")
    private int size = 1024;

    @Option(names = "--repeats", paramLabel = "K", description = "timed multiplies (default 20)")
    private int repeats = 20;

    @Option(names = "--threads", paramLabel = "T", description = "BLAS threads (default 1)")
    private int threads = 1;

    @Override
    public Integer call() {
        if (size < 16 || size > 16384) {
            throw new InvalidOptionException("size", Integer.toString(size), "an integer from 16 to 16384");
        }
        if (repeats < 1 || repeats > 10_000) {
            throw new InvalidOptionException("repeats", Integer.toString(repeats), "an integer from 1 to 10000");
        }
        if (threads < 1 || threads > 1024) {
            throw new InvalidOptionException("threads", Integer.toString(threads), "an integer from 1 to 1024");
        }
        double gflops = SgemmPeak.gflops(size, repeats, threads);
        BlasLibrary blas = BlasLibrary.current();
        BlasChoice.warnIfMismatched(blas);
        spec.commandLine().getOut().printf(Locale.ROOT, "sgemm %dx%d, %d thread(s), %s BLAS: %.1f GFLOP/s%n", size,
                size, threads, blas.label(), gflops);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
