package io.rnnsweep.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the rnnsweep command line in this JVM, as a user would, and keeps what it printed. */
final class Cli {
    private Cli() {
    }

    /** What one command did: its exit code, standard output and standard error. */
    record Run(int code, String out, String err) {
    }

    /** Runs {@code rnnsweep ARGS} with rnnsweep's own error handling. */
    static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
