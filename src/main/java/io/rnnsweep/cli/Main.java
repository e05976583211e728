package io.rnnsweep.cli;

import io.rnnsweep.nn.ShapeInfoCache;
import io.rnnsweep.spec.SpecException;
import io.rnnsweep.tracking.SweepRun;
import io.rnnsweep.train.BlasChoice;
import io.rnnsweep.trial.InvalidOptionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code rnnsweep} command: hyperparameter sweeps of recurrent networks on Spark, tracked in MLflow. */
@Command(name = "rnnsweep", mixinStandardHelpOptions = true, version = "rnnsweep 0.1.0",
        description = "Hyperparameter sweeps of recurrent neural networks on Apache Spark, tracked in MLflow.",
        subcommands = {SweepCommand.class, ValidateCommand.class, ReportCommand.class, TrainCommand.class,
            TasksCommand.class, SgemmCommand.class, ServeCommand.class, SyncCommand.class})
public final class Main implements Runnable {
    /** Exit code for bad input: an option, value or file that is not allowed. */
    public static final int BAD_INPUT = 2;
    /**
     * Exit code of a sweep that ran to its end but whose tracking store did not take everything: the output
     * folder has every result, {@code tracking-unsent.jsonl} there what the store is missing.
     */
    public static final int TRACKING_INCOMPLETE = 3;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Returns the command line with rnnsweep's error handling: bad input exits 2 with one clear message. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof InvalidOptionException || ex instanceof SpecException
                    || ex instanceof SweepRun.UnavailableException) {
                cmd.getErr().println("rnnsweep: " + ex.getMessage());
                return BAD_INPUT;
            }
            throw ex;
        });
        return cli;
    }

    /**
     * Runs the command line and exits with its code; first puts the JVM's BLAS choice and ND4J's shape cache into
     * effect, before anything loads ND4J (a BLAS value the launcher did not check exits 2).
     */
    public static void main(String[] args) {
        ShapeInfoCache.install();
        try {
            BlasChoice.apply();
        } catch (IllegalArgumentException e) {
            System.err.println("rnnsweep: " + e.getMessage());
            System.exit(BAD_INPUT);
        }
        System.exit(commandLine().execute(args));
    }
}
