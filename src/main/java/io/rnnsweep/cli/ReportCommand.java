package io.rnnsweep.cli;

import io.rnnsweep.report.SweepData;
import io.rnnsweep.report.SweepReport;
import io.rnnsweep.spark.ForestImportance;
import io.rnnsweep.tracking.StoredSweep;
import io.rnnsweep.tracking.TrackingLocation;
import io.rnnsweep.trial.InvalidOptionException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Rebuilds a sweep's review report from its output folder. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Rebuild report.html and its plots in a sweep's output folder (from its spec.yaml and trials.csv),",
            "or from a sweep's runs in a tracking store (--sweep NAME [--store mlruns | --tracking-uri URI]): leaderboard,",
            "learning curves, objective per axis, a heatmap, gradient health, parameter importance."})
final class ReportCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "DIR", arity = "0..1",
            description = {"a sweep's output folder, such as sweeps/hello-grid-20261123-101500;",
                "with --sweep, the folder the report is written to (default: sweeps/<name>-report)"})
    private Path dir;

    @Option(names = "--sweep", paramLabel = "NAME",
            description = "read the sweep's newest run from a tracking store instead of an output folder")
    private String sweepName;

    @Option(names = "--store", paramLabel = "DIR", defaultValue = "mlruns",
            description = "the embedded tracking store that --sweep reads (default: ${DEFAULT-VALUE})")
    private Path store;

    @Option(names = "--tracking-uri", paramLabel = "URI",
            description = {"with --sweep: read the sweep from this tracking server (http(s)://host[:port],",
                "databricks[://profile]) or embedded store (file:DIR or a folder) instead of --store"})
    private String trackingUri;

    @Option(names = "--heatmap", paramLabel = "AXIS,AXIS", split = ",",
            description = "the heatmap's two swept axes (default: lr,hidden when both are swept, else the first two)")
    private List<String> heatmap;

    @Override
    public Integer call() throws IOException {
        SweepData sweep;
        if (sweepName != null) {
            TrackingLocation location = trackingUri != null
                    ? TrackingLocation.resolve(trackingUri, java.util.Optional.empty(), System.getenv())
                    : new TrackingLocation(java.util.Optional.empty(), store, "store");
            if (location.server().isEmpty() && !Files.isDirectory(location.store())) {
                throw new InvalidOptionException(trackingUri != null ? "tracking-uri" : "store",
                        location.store().toString(), "an embedded tracking store folder (mlruns)");
            }
            sweep = StoredSweep.load(location, sweepName).orElseThrow(() -> new InvalidOptionException(
                    "sweep", sweepName, "the name of a sweep tracked in " + location.display()));
            if (dir == null) {
                dir = Path.of("sweeps", sweepName + "-report");
            }
            Files.createDirectories(dir);
        } else {
            if (dir == null || !Files.isRegularFile(dir.resolve("spec.yaml"))
                    || !Files.isRegularFile(dir.resolve("trials.csv"))) {
                throw new InvalidOptionException("DIR", String.valueOf(dir),
                        "a sweep's output folder (with spec.yaml and trials.csv), or --sweep NAME");
            }
            sweep = SweepData.load(dir);
        }
        checkHeatmap(sweep.axes(), heatmap);
        List<Path> files = SweepReport.write(sweep, dir, heatmap, new ForestImportance());
        PrintWriter out = spec.commandLine().getOut();
        out.printf("report for sweep %s: %s (%d plots)%n", sweep.name(), files.get(0), files.size() - 1);
        out.flush();
        return 0;
    }

    /** Checks that the heatmap's axes, when given, are two different ones of the sweep's axes. */
    static void checkHeatmap(List<String> axes, List<String> heatmap) {
        if (heatmap != null && (heatmap.size() != 2 || !axes.containsAll(heatmap)
                || heatmap.get(0).equals(heatmap.get(1)))) {
            throw new InvalidOptionException("heatmap", String.join(",", heatmap),
                    "two different swept axes of this sweep: " + String.join(", ", axes));
        }
    }
}
