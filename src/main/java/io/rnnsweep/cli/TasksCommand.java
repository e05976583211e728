package io.rnnsweep.cli;

import io.rnnsweep.task.RnnTask;
import io.rnnsweep.task.Tasks;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Lists the documented tasks, one line each. */
@Command(name = "tasks", mixinStandardHelpOptions = true,
        description = "List the documented RNN tasks, one line each.")
final class TasksCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        for (RnnTask task : Tasks.all()) {
            out.printf("%-16s %s%n", task.name().key(), task.summary());
        }
        out.flush();
    }
}
