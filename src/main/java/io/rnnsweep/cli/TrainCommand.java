package io.rnnsweep.cli;

import io.rnnsweep.task.Tasks;
import io.rnnsweep.train.BlasChoice;
import io.rnnsweep.train.BlasLibrary;
import io.rnnsweep.train.EpochDecision;
import io.rnnsweep.train.Trainer;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.InvalidOptionException;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import io.rnnsweep.trial.TrialResult;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Trains one trial on one task, without Spark, printing a line per epoch and a summary. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train one trial of a task (no Spark): one line per epoch, then a summary.",
            "Options left out take the task's defaults, the seeds' settings (see 'rnnsweep tasks')."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the trial finished (or was stopped at --stop-after)", "1:the trial failed",
            "2:bad input (an option, value or file that is not allowed)", "3:the trial diverged (NaN/Inf)"})
final class TrainCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--task", required = true, paramLabel = "NAME",
            description = "srn | binary-addition | hello | antonyms | sine | timemachine")
    private String task;
    @Option(names = "--hidden", paramLabel = "N", description = "hidden units per recurrent layer")
    private String hidden;
    @Option(names = "--layers", paramLabel = "N", description = "stacked recurrent layers")
    private String layers;
    @Option(names = "--cell", paramLabel = "CELL", description = "rnn | lstm")
    private String cell;
    @Option(names = "--optimizer", paramLabel = "OPT", description = "sgd | adam")
    private String optimizer;
    @Option(names = "--lr", paramLabel = "X", description = "learning rate, on the gradient of the mean loss per token")
    private String lr;
    @Option(names = "--clip", paramLabel = "X|none", description = "clip the global gradient L2 norm to X; none: off")
    private String clip;
    @Option(names = "--batch", paramLabel = "N", description = "sequences per minibatch")
    private String batch;
    @Option(names = "--seq-len", paramLabel = "N",
            description = "time steps per window (timemachine), points (sine), bits (binary-addition)")
    private String seqLen;
    @Option(names = "--epochs", paramLabel = "N", description = "training epochs")
    private String epochs;
    @Option(names = "--seed", paramLabel = "N", description = "random seed")
    private String seed;
    @Option(names = "--threads", paramLabel = "N", description = "CPU threads for the trial (default 1)")
    private String threads;
    @Option(names = "--corpus", paramLabel = "FILE", description = "UTF-8 text file for timemachine (default: bundled)")
    private String corpus;
    @Option(names = "--checkpoint", paramLabel = "FILE", description = "write a checkpoint here after every epoch")
    private Path checkpoint;
    @Option(names = "--resume", paramLabel = "FILE", description = "continue the trial from this checkpoint")
    private Path resume;
    @Option(names = "--stop-after", paramLabel = "N", description = "stop after epoch N (a segment; resume later)")
    private Integer stopAfter;
    @Option(names = "--csv", paramLabel = "FILE", description = "also write every epoch's metrics to this CSV file")
    private Path csv;

    @Override
    public Integer call() {
        TaskName name = TaskName.parse(task);
        Map<TrialOption, String> options = TrialConfig.options();
        put(options, TrialOption.HIDDEN, hidden);
        put(options, TrialOption.LAYERS, layers);
        put(options, TrialOption.CELL, cell);
        put(options, TrialOption.OPTIMIZER, optimizer);
        put(options, TrialOption.LR, lr);
        put(options, TrialOption.CLIP, clip);
        put(options, TrialOption.BATCH, batch);
        put(options, TrialOption.SEQ_LEN, seqLen);
        put(options, TrialOption.EPOCHS, epochs);
        put(options, TrialOption.SEED, seed);
        put(options, TrialOption.THREADS, threads);
        put(options, TrialOption.CORPUS, corpus);
        TrialConfig config = Tasks.resolve(name, options);
        if (resume != null && !Files.isReadable(resume)) {
            throw new InvalidOptionException("resume", resume.toString(), "a readable checkpoint file");
        }
        if (stopAfter != null && (stopAfter < 1 || stopAfter > config.epochs())) {
            throw new InvalidOptionException("stop-after", stopAfter.toString(),
                    "an epoch from 1 to " + config.epochs());
        }
        // Paths that will be written are checked now, not after the training they would hold.
        if (checkpoint != null) {
            Preflight.writableFile("checkpoint", checkpoint);
        }
        if (csv != null) {
            Preflight.writableFile("csv", csv);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("trial " + config.runName() + "  " + config.values(Tasks.get(name).options()));
        out.println("blas: " + BlasLibrary.describe());
        out.flush();
        BlasChoice.warnIfMismatched(BlasLibrary.current());
        EpochCsv table = csv == null ? null : new EpochCsv(csv);
        Trainer trainer = new Trainer(config).listener(r -> {
            out.println(line(r, config.epochs()));
            out.flush();
            if (table != null) {
                table.append(r);
            }
            return EpochDecision.CONTINUE;
        });
        if (checkpoint != null) {
            trainer.checkpointTo(checkpoint);
        }
        if (resume != null) {
            trainer.resumeFrom(resume);
        }
        if (stopAfter != null) {
            trainer.stopAfterEpoch(stopAfter);
        }
        long t0 = System.nanoTime();
        TrialResult result = trainer.run();
        double seconds = (System.nanoTime() - t0) / 1e9;
        result.report().forEach(out::println);
        out.printf(Locale.ROOT, "status %s after epoch %d of %d in %.1f s%n", result.status(), result.lastEpoch(),
                config.epochs(), seconds);
        result.last().ifPresent(r -> out.println("final: " + summary(r)));
        out.flush();
        result.cause().ifPresent(c -> spec.commandLine().getErr().println("cause: " + c));
        return switch (result.status()) {
            case FINISHED, PAUSED, KILLED -> 0;
            case DIVERGED -> 3;
            default -> 1;
        };
    }

    private static void put(Map<TrialOption, String> options, TrialOption option, String value) {
        if (value != null) {
            options.put(option, value);
        }
    }

    static String line(EpochResult r, int epochs) {
        return String.format(Locale.ROOT, "epoch %" + Integer.toString(epochs).length() + "d/%d  %s", r.epoch(), epochs,
                summary(r));
    }

    static String summary(EpochResult r) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "train loss %.4g", r.trainLoss()));
        if (!Double.isNaN(r.trainPerplexity())) {
            s.append(String.format(Locale.ROOT, " ppl %.3f", r.trainPerplexity()));
        }
        s.append(String.format(Locale.ROOT, " | val loss %.4g", r.validationLoss()));
        if (!Double.isNaN(r.validationPerplexity())) {
            s.append(String.format(Locale.ROOT, " ppl %.3f", r.validationPerplexity()));
        }
        r.taskMetrics().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> s.append(String.format(Locale.ROOT, " %s %.4g", e.getKey(), e.getValue())));
        s.append(String.format(Locale.ROOT, " | grad norm %.3g (max %.3g) clipped %.0f%% | %.0f tok/s %.2f s",
                r.gradNormMean(), r.gradNormMax(), 100 * r.clipFraction(), r.tokensPerSecond(), r.seconds()));
        return s.toString();
    }
}
