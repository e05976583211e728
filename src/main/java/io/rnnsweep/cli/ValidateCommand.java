package io.rnnsweep.cli;

import io.rnnsweep.search.Searcher;
import io.rnnsweep.spec.SpecLoader;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Checks a sweep spec, every expanded trial included, without running anything. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Check a sweep spec without running it: fields, values, every expanded trial and its data.",
            "Exit code 0 when it can run, 2 with the offending field, value and what is allowed when not."})
final class ValidateCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "SPEC", description = "the sweep spec (YAML), for example conf/hello.yaml")
    private Path file;

    @Option(names = "--trials", description = "also list every trial's chosen values")
    private boolean listTrials;

    @Override
    public Integer call() {
        SweepSpec s = SpecLoader.load(file);
        PrintWriter out = spec.commandLine().getOut();
        List<Map<TrialOption, String>> trials = Searcher.planned(s.searcher());
        out.printf("%s: valid%n", file);
        out.printf("sweep %s: task %s, objective %s, %s search, %d trials%s%n", s.name(), s.task().key(),
                s.objective(), s.algorithm().key(), s.plannedTrials(), s.algorithm().learns()
                        ? " (" + s.startupTrials() + " random at startup, the rest from results"
                        + (s.warmStart().isEmpty() ? "" : "; warm start from " + String.join(", ", s.warmStart()))
                        + ")" : "");
        out.println("  space: " + s.space().entrySet().stream()
                .map(e -> e.getKey().key() + " " + e.getValue().describe()).collect(Collectors.joining("; ")));
        if (!s.fixed().isEmpty()) {
            out.println("  fixed: " + s.fixed().entrySet().stream()
                    .map(e -> e.getKey().key() + "=" + e.getValue()).collect(Collectors.joining(", ")));
        }
        var x = s.execution();
        out.printf("  execution: %s, %d concurrent, %d cpu and %d gpu per trial, timeout %s, %d retries,"
                + " checkpoint every %s%n", x.mode().key(), x.maxConcurrent(), x.cpusPerTrial(), x.gpusPerTrial(),
                x.timeout().map(d -> d.toMinutes() + " min").orElse("none"), x.retries(),
                x.checkpointEvery() == 0 ? "rung only" : x.checkpointEvery() + " epoch(s)");
        out.println("  scheduler: " + s.scheduler().describe() + (s.scheduler().segmented()
                ? ", checkpoints in " + s.scheduler().checkpointDir().orElse("<output folder>/checkpoints") + ", kept: "
                        + s.scheduler().keep().key() : ""));
        out.println("  tracking: " + s.trackingUri().orElse("(default)") + ", experiment " + s.experiment());
        if (listTrials) {
            for (int i = 0; i < trials.size(); i++) {
                TrialConfig c = s.trialConfig(trials.get(i));
                out.printf("  trial %d: %s %s%n", i, c.runName(), trials.get(i).entrySet().stream()
                        .map(e -> e.getKey().key() + "=" + e.getValue()).collect(Collectors.joining(" ")));
            }
        }
        out.flush();
        return 0;
    }
}
