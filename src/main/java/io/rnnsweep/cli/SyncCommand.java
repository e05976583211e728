package io.rnnsweep.cli;

import io.rnnsweep.tracking.TrackingLocation;
import io.rnnsweep.tracking.UnsentSync;
import io.rnnsweep.trial.InvalidOptionException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Sends what a sweep's tracking store did not take to it, once it answers again. */
@Command(name = "sync", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send what a sweep's tracking store did not take (tracking-unsent.jsonl in its output folder,",
            "left by a sweep that exited 3) once the store answers again: every record to its run, the runs the",
            "store never took created, every run ended with its status. What still does not go stays in the file",
            "(exit 3); the file is removed when everything went."})
final class SyncCommand implements Callable<Integer> {
    /** The file a sweep leaves in its output folder with what its tracking store did not take. */
    static final String UNSENT_FILE = "tracking-unsent.jsonl";

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "DIR",
            description = "the sweep's output folder, such as sweeps/hello-grid-20261123-101500")
    private Path dir;

    @Option(names = "--tracking-uri", paramLabel = "URI",
            description = {"the tracking store the sweep used: a server (http(s)://host[:port],",
                "databricks[://profile]) or the embedded store (file:DIR or a folder);",
                "default: MLFLOW_TRACKING_URI, else ./mlruns"})
    private String trackingUri;

    @Override
    public Integer call() {
        if (!Files.isDirectory(dir)) {
            throw new InvalidOptionException("DIR", dir.toString(), "a sweep's output folder");
        }
        TrackingLocation location = TrackingLocation.resolve(trackingUri, Optional.empty(), System.getenv());
        if (location.server().isEmpty() && !Files.isDirectory(location.store())) {
            throw new InvalidOptionException(trackingUri != null ? "tracking-uri" : location.source(),
                    location.store().toString(), "the tracking store the sweep used (an existing folder, or a server)");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path file = dir.resolve(UNSENT_FILE);
        if (!Files.exists(file)) {
            out.printf("nothing to send: %s has no %s (its tracking store took everything)%n", dir, UNSENT_FILE);
            out.flush();
            return 0;
        }
        UnsentSync.Result r;
        try {
            r = UnsentSync.sync(location, file);
        } catch (IOException e) {
            throw new InvalidOptionException("DIR", dir.toString(), "a sweep's output folder whose " + UNSENT_FILE
                    + " this user can read and rewrite, as the sweep wrote it (" + e.getMessage() + ")");
        }
        out.printf("tracking: %d of %d batches sent to %s (%d runs created, %d ended)%n", r.sent(), r.sent() + r.left(),
                location.display(), r.created(), r.ended());
        r.errors().forEach(e -> out.printf("tracking: refused: %s%n", e));
        if (r.left() > 0) {
            out.printf("tracking: %d batches could not be sent; they stay in %s (exit %d): run sync again when the"
                    + " store answers%n", r.left(), file, Main.TRACKING_INCOMPLETE);
            out.flush();
            return Main.TRACKING_INCOMPLETE;
        }
        out.printf("tracking: the store holds everything the sweep recorded; %s removed%n", file);
        out.flush();
        return 0;
    }
}
