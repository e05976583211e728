package io.rnnsweep.execution;

import io.rnnsweep.nn.ShapeInfoCache;
import io.rnnsweep.task.LossKind;
import io.rnnsweep.task.Tasks;
import io.rnnsweep.train.BlasChoice;
import io.rnnsweep.train.BlasLibrary;
import io.rnnsweep.train.EpochFitter;
import io.rnnsweep.train.EpochListener;
import io.rnnsweep.train.Trainer;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.InvalidOptionException;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import io.rnnsweep.trial.TrialResult;
import io.rnnsweep.trial.TrialStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs one trial in this process, where an executor received it, on the given number of threads. */
public final class TrialRunner {
    private TrialRunner() {
    }

    /** Rebuilds the trial's configuration and trains it; any failure comes back as a FAILED outcome. */
    public static TrialOutcome run(TrialTask task, int threads) {
        return run(task, threads, null, "", List.of(), null, 0);
    }

    /**
     * Rebuilds the trial's configuration and trains it (or the segment of it the task names) with the given
     * epoch fitter (null: in this thread), logging it to its MLflow run when the task is tracked; any failure
     * comes back as a FAILED outcome.
     *
     * @param gpu the GPU device the trial is bound to, empty on CPU
     * @param listeners more listeners of the trial's epochs
     * @param checkpoints where a segment's checkpoint is read from and stored; null when the task has no segment
     * @param attempt which attempt of this Spark task this is, from 0
     */
    public static TrialOutcome run(TrialTask task, int threads, EpochFitter fitter, String gpu,
                                   List<EpochListener> listeners, CheckpointStore checkpoints, int attempt) {
        long t0 = System.nanoTime();
        String host = hostName();
        long pid = ProcessHandle.current().pid();
        String blas = blasLibrary();
        Segment segment = task.segment();
        if (segment != null && checkpoints == null) {
            throw new IllegalArgumentException("a segment of " + task.id() + " needs a checkpoint store");
        }
        TrialRecording tracked = null;
        if (task.tracking() != null) {
            try {
                tracked = task.tracking().open(where(host, pid, gpu, blas),
                        segment != null && segment.from() > 0 && attempt == 0,
                        attempt == 0 && (segment == null || segment.from() == 0));
            } catch (TrialRecorder.Unavailable e) {
                // Train anyway, as below; the store's outage was reported when it began.
            } catch (RuntimeException e) {
                // Train anyway: the driver creates the run from the outcome when the trial comes back.
                System.err.println("rnnsweep: " + task.id() + " trains untracked for now: " + e);
            }
        }
        TrialStatus status = TrialStatus.FAILED;
        List<EpochResult> epochs = List.of();
        List<String> report = List.of();
        String cause;
        boolean perplexity = false;
        try {
            TrialConfig config = task.config().with(TrialOption.THREADS, Integer.toString(threads));
            perplexity = Tasks.get(config.task()).loss() == LossKind.CROSS_ENTROPY;
            Trainer trainer = new Trainer(config).divergence(task.divergence());
            if (fitter != null) {
                trainer.fitter(fitter);
            }
            if (tracked != null) {
                trainer.listener(tracked);
            }
            listeners.forEach(trainer::listener);
            TrialResult r = segment == null ? trainer.run()
                    : runSegment(task, trainer, segment, checkpoints, tracked);
            status = r.status();
            epochs = r.epochs();
            report = r.report();
            cause = r.cause().orElse("");
        } catch (InvalidOptionException | IllegalStateException | IOException e) {
            cause = stackTrace(e);
        }
        List<UnsentRecord> unsent = List.of();
        boolean runEnded = false;
        if (tracked != null) {
            try {
                // A segment that does not hold the whole trial leaves the run open: the driver ends it with the
                // whole trial's epochs (curve, health).
                boolean whole = segment == null || (segment.wholeTrial() && segment.from() == 0);
                unsent = List.copyOf(whole ? tracked.finish(status, cause, report, perplexity)
                        : tracked.finishSegment(status));
                runEnded = tracked.ended();
            } catch (RuntimeException e) {
                System.err.println("rnnsweep: " + task.id() + ": ending its run failed, the driver retries: " + e);
            }
        }
        return new TrialOutcome(task.index(), status, epochs, report, cause, host, pid,
                (System.nanoTime() - t0) / 1e9, gpu, blas, unsent, List.of(), runEnded);
    }

    /** How a segment's scratch folder is named: the prefix, then the pid of the JVM that trains it. */
    static final String SEGMENT_PREFIX = "rnnsweep-segment-";
    /** Whether this JVM looked for folders that killed JVMs left (once is enough). */
    private static final java.util.concurrent.atomic.AtomicBoolean SWEPT =
            new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Removes, once per JVM, the segment scratch folders (checkpoints on their way) that JVMs killed while they
     * trained left in this host's temporary folder: those whose pid no longer runs.
     */
    static void removeDeadSegmentFolders() {
        if (SWEPT.compareAndSet(false, true)) {
            removeDeadSegmentFolders(Path.of(System.getProperty("java.io.tmpdir")));
        }
    }

    /** Removes the segment scratch folders in {@code tmp} whose JVM no longer runs. */
    static void removeDeadSegmentFolders(Path tmp) {
        try (var entries = Files.newDirectoryStream(tmp, SEGMENT_PREFIX + "*")) {
            for (Path dir : entries) {
                String rest = dir.getFileName().toString().substring(SEGMENT_PREFIX.length());
                int dash = rest.indexOf('-');
                if (dash <= 0 || !rest.substring(0, dash).chars().allMatch(Character::isDigit)
                        || ProcessHandle.of(Long.parseLong(rest.substring(0, dash))).isPresent()) {
                    continue; // Not ours, or its JVM still runs.
                }
                deleteFolder(dir);
            }
        } catch (IOException | RuntimeException e) {
            // Only tidiness is lost: the folders stay.
        }
    }

    /**
     * Trains one segment: fetches the checkpoint the segment resumes from, trains to the segment's last epoch
     * (storing the checkpoint every {@link Segment#every()} epochs on the way, and tagging the trial's run with the
     * epoch it holds), and stores the new checkpoint when the trial paused there (or finished, when final
     * checkpoints are kept).
     */
    private static TrialResult runSegment(TrialTask task, Trainer trainer, Segment segment,
                                          CheckpointStore checkpoints, TrialRecording tracked)
            throws IOException {
        removeDeadSegmentFolders();
        boolean checkpointAtEnd = segment.until() < task.config().epochs() || segment.keepFinal();
        // A scratch folder only where a checkpoint is read or written: a whole trial without checkpoints has none.
        Path dir = segment.from() > 0 || segment.every() > 0 || checkpointAtEnd
                ? Files.createTempDirectory(SEGMENT_PREFIX + ProcessHandle.current().pid() + "-") : null;
        try {
            Path in = dir == null ? null : dir.resolve("resume.zip");
            Path out = dir == null ? null : dir.resolve("checkpoint.zip");
            if (segment.from() > 0) {
                checkpoints.download(segment.checkpoint(), in);
                trainer.resumeFrom(in);
            }
            if (segment.every() > 0) {
                boolean[] warned = {false};
                trainer.checkpointEvery(segment.every(), dir.resolve("latest.zip"), (file, epoch) -> {
                    // A cancelled trial's interrupt must outlive the upload: a FileSystem may swallow it.
                    boolean interrupted = Thread.currentThread().isInterrupted();
                    try {
                        checkpoints.upload(file, segment.latest());
                        if (tracked != null) {
                            tracked.tag(Map.of("rnnsweep.checkpoint_epoch", Integer.toString(epoch)));
                        }
                    } catch (java.io.InterruptedIOException | java.nio.channels.ClosedByInterruptException e) {
                        interrupted = true;
                    } catch (IOException | RuntimeException e) {
                        // The trial trains on; a resumed sweep continues it from an older checkpoint, or restarts it.
                        if (!warned[0]) {
                            warned[0] = true;
                            System.err.println("rnnsweep: warning: " + task.id() + ": storing its checkpoint at "
                                    + segment.latest() + " failed (it trains on; later failures are not shown): "
                                    + e);
                        }
                    } finally {
                        if (interrupted) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
            }
            trainer.stopAfterEpoch(segment.until());
            if (checkpointAtEnd) {
                trainer.checkpointAtEnd(out); // only a checkpoint that is stored below is written
            }
            TrialResult r = trainer.run();
            int resumedAt = r.epochs().isEmpty() ? r.lastEpoch() : r.epochs().get(0).epoch() - 1;
            if (resumedAt != segment.from()) {
                // A retried attempt that finds the checkpoint its predecessor already replaced, for instance.
                throw new IllegalStateException(segment.checkpoint() + " holds epoch " + resumedAt + ", not "
                        + segment.from() + ": it is not the checkpoint this segment follows");
            }
            boolean store = r.status() == TrialStatus.PAUSED
                    || (r.status() == TrialStatus.FINISHED && segment.keepFinal());
            if (store && out != null && Files.exists(out)) {
                checkpoints.upload(out, segment.checkpoint());
            }
            return r;
        } finally {
            if (dir != null) {
                deleteFolder(dir);
            }
        }
    }

    /** Deletes a segment's scratch folder and the files in it (it holds no folders). */
    private static void deleteFolder(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }

    /** Returns the tags that say where a trial attempt ran: host, process, GPU, BLAS library. */
    public static Map<String, String> where(String host, long pid, String gpu, String blas) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("rnnsweep.host", host);
        m.put("rnnsweep.pid", Long.toString(pid));
        m.put("rnnsweep.gpu", gpu.isEmpty() ? "none" : gpu);
        m.put("rnnsweep.blas", blas.isEmpty() ? "unknown" : blas);
        return m;
    }

    /**
     * The BLAS library this JVM calls, after the JVM's BLAS choice and ND4J's shape cache took effect (an executor
     * JVM's first trial puts them into effect; a library other than the one asked for is a warning on the
     * executor's console); empty when the native backend cannot say (the trial then fails on it).
     */
    private static String blasLibrary() {
        ShapeInfoCache.install();
        try {
            BlasChoice.apply();
        } catch (IllegalArgumentException e) {
            System.err.println("rnnsweep: warning: " + e.getMessage() + "; ND4J's default OpenBLAS is used");
        }
        try {
            BlasLibrary loaded = BlasLibrary.current();
            BlasChoice.warnIfMismatched(loaded);
            return loaded.label();
        } catch (RuntimeException | LinkageError e) {
            return "";
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    static String stackTrace(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
