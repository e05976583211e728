package io.rnnsweep.train;

import io.rnnsweep.task.Batch;
import io.rnnsweep.task.Evaluation;
import io.rnnsweep.task.LossKind;
import io.rnnsweep.task.Network;
import io.rnnsweep.task.RnnTask;
import io.rnnsweep.task.TaskSession;
import io.rnnsweep.task.Tasks;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.InvalidOptionException;
import io.rnnsweep.trial.Divergence;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialResult;
import io.rnnsweep.trial.TrialStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ObjIntConsumer;

/**
 * Trains one trial: the task's network on the task's batches, epoch by epoch, with the seeds' loss,
 * learning-rate and clipping semantics ({@link GradientControl}), an {@link EpochResult} per epoch to every
 * listener, optional checkpoints, and exact resume.
 *
 * <p>The trial's status says how it ended: FINISHED after its last epoch, PAUSED at the end of a segment
 * ({@link #stopAfterEpoch}), KILLED when a listener stopped it or its thread was interrupted (a cancelled
 * Spark task), DIVERGED on a NaN or infinite loss or gradient, or on an epoch whose loss blew up past its
 * {@link Divergence} limits (that epoch is still reported), FAILED (with the stack trace as cause) on any other
 * exception.
 */
public final class Trainer {
    private static final String BEST_TRAIN = "best_train_loss";
    private static final String BEST_VALIDATION = "best_validation_loss";
    private final TrialConfig config;
    private final RnnTask task;
    private final List<EpochListener> listeners = new ArrayList<>();
    private Path checkpointTo;
    private Path checkpointAtEnd;
    private Path resumeFrom;
    private int checkpointEvery;
    private Path everyFile;
    private ObjIntConsumer<Path> everyStored;
    private int stopAfter;
    private EpochFitter fitter;
    private Divergence divergence = Divergence.DEFAULT;
    /** The trial's best training and validation losses so far (NaN: none), kept in its checkpoints. */
    private double bestTrain = Double.NaN;
    private double bestValidation = Double.NaN;

    /** Creates a trainer for one trial. */
    public Trainer(TrialConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.task = Tasks.get(config.task());
        this.stopAfter = config.epochs();
    }

    /** Adds a listener that receives each epoch's result and may stop the trial. */
    public Trainer listener(EpochListener listener) {
        listeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /** Writes a checkpoint to {@code file} after every epoch (atomically replacing the previous one). */
    public Trainer checkpointTo(Path file) {
        this.checkpointTo = file;
        return this;
    }

    /**
     * Writes one checkpoint to {@code file} when the run ends PAUSED or FINISHED: the end of a segment of
     * segmented training.
     */
    public Trainer checkpointAtEnd(Path file) {
        this.checkpointAtEnd = file;
        return this;
    }

    /**
     * Writes a checkpoint to {@code file} after every {@code every}-th epoch of the trial (counted from its
     * first) that is not this run's last (its end has {@link #checkpointAtEnd}), after the epoch's listeners, and
     * hands it with the epoch to {@code stored} (which stores it elsewhere, for instance) before the next epoch.
     */
    public Trainer checkpointEvery(int every, Path file, ObjIntConsumer<Path> stored) {
        if (every < 1) {
            throw new IllegalArgumentException("checkpoint interval must be >= 1, got " + every);
        }
        this.checkpointEvery = every;
        this.everyFile = Objects.requireNonNull(file, "file");
        this.everyStored = Objects.requireNonNull(stored, "stored");
        return this;
    }

    /** Continues from a checkpoint written for this trial instead of a fresh network. */
    public Trainer resumeFrom(Path file) {
        this.resumeFrom = file;
        return this;
    }

    /** Sets when a trial whose losses are finite counts as diverged; {@link Divergence#DEFAULT} otherwise. */
    public Trainer divergence(Divergence limits) {
        this.divergence = Objects.requireNonNull(limits, "limits");
        return this;
    }

    /** Trains each epoch with the given fitter (data-parallel, for instance) instead of in this thread. */
    public Trainer fitter(EpochFitter epochFitter) {
        this.fitter = Objects.requireNonNull(epochFitter, "epochFitter");
        return this;
    }

    /** Ends this run (PAUSED) after the given epoch, for segmented training; defaults to the trial's epochs. */
    public Trainer stopAfterEpoch(int epoch) {
        if (epoch < 1 || epoch > config.epochs()) {
            throw new IllegalArgumentException("stop epoch must be in 1.." + config.epochs() + ", got " + epoch);
        }
        this.stopAfter = epoch;
        return this;
    }

    /**
     * Runs the trial (or its segment) and returns how it ended.
     *
     * @throws InvalidOptionException when the task rejects an option for its data, or the checkpoint to resume
     *     from is unreadable or another trial's; nothing has been trained or written then
     */
    public TrialResult run() {
        ThreadBinding.apply(config.threads());
        TaskSession session = task.open(config);
        if (task.loss() == LossKind.NONE) {
            try (Network net = session.newNetwork()) {
                return new TrialResult(config, TrialStatus.FINISHED, List.of(), session.report(net), Optional.empty(), 0);
            }
        }
        Network net;
        int start;
        Map<String, String> state = Map.of();
        if (resumeFrom != null) {
            try {
                Checkpoint checkpoint = Checkpoint.read(resumeFrom, config);
                net = checkpoint.network();
                start = checkpoint.epoch();
                state = checkpoint.state();
            } catch (IOException | IllegalArgumentException e) {
                throw new InvalidOptionException("resume", resumeFrom.toString(),
                        "a checkpoint written for this trial (" + e.getMessage() + ")");
            }
        } else {
            net = session.newNetwork();
            start = 0;
        }
        try {
            return train(session, net, start, state);
        } finally {
            net.close();
        }
    }

    private TrialResult train(TaskSession session, Network net, int start, Map<String, String> state) {
        GradientControl control = new GradientControl(config.clip(), config.clipRelative(),
                session.frozenParameters());
        control.restore(state);
        bestTrain = Double.parseDouble(state.getOrDefault(BEST_TRAIN, "NaN"));
        bestValidation = Double.parseDouble(state.getOrDefault(BEST_VALIDATION, "NaN"));
        net.setListeners(control);
        boolean perplexity = task.loss() == LossKind.CROSS_ENTROPY;
        List<EpochResult> results = new ArrayList<>();
        TrialStatus status = start >= config.epochs() ? TrialStatus.FINISHED : TrialStatus.PAUSED;
        int last = start;
        try {
            for (int epoch = start + 1; epoch <= stopAfter; epoch++) {
                long t0 = System.nanoTime();
                if (Thread.currentThread().isInterrupted()) {
                    return new TrialResult(config, TrialStatus.KILLED, results, List.of(),
                            Optional.of("interrupted before epoch " + epoch + " (cancelled or timed out)"), last);
                }
                control.resetEpoch();
                GradientStats stats;
                if (fitter != null) {
                    stats = fitter.fitEpoch(net, session.batches(epoch), control);
                } else {
                    for (Batch batch : session.batches(epoch)) {
                        if (Thread.currentThread().isInterrupted()) {
                            return new TrialResult(config, TrialStatus.KILLED, results, List.of(),
                                    Optional.of("interrupted in epoch " + epoch + " (cancelled or timed out)"), last);
                        }
                        control.begin(batch);
                        net.fit(batch);
                    }
                    stats = control.epochStats();
                }
                control.endEpoch();
                double trainSeconds = (System.nanoTime() - t0) / 1e9;
                Evaluation eval = session.evaluate(net);
                if (!Double.isFinite(eval.loss())) {
                    throw new DivergedException("validation loss " + eval.loss());
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                double trainLoss = stats.meanLoss();
                Map<String, Double> taskMetrics = eval.metrics();
                if (control.resolvedRelative().isPresent()) {
                    // The absolute threshold a relative one resolved to, on the run with every epoch.
                    taskMetrics = new java.util.LinkedHashMap<>(taskMetrics);
                    taskMetrics.put("clip_threshold", control.resolvedRelative().getAsDouble());
                }
                EpochResult result = new EpochResult(epoch, trainLoss, perplexity ? Math.exp(trainLoss) : Double.NaN,
                        eval.loss(), perplexity ? Math.exp(eval.loss()) : Double.NaN, taskMetrics,
                        stats.meanNorm(), stats.maxNorm(), stats.clipFraction(), stats.tokens(),
                        stats.tokens() / trainSeconds, seconds);
                results.add(result);
                Optional<String> blownUp = blownUp(trainLoss, eval.loss());
                if (blownUp.isPresent()) {
                    for (EpochListener l : listeners) {
                        l.onEpoch(result); // the epoch that blew up is recorded like any other
                    }
                    throw new DivergedException(blownUp.get());
                }
                bestTrain = Double.isNaN(bestTrain) ? trainLoss : Math.min(bestTrain, trainLoss);
                bestValidation = Double.isNaN(bestValidation) ? eval.loss() : Math.min(bestValidation, eval.loss());
                last = epoch;
                if (checkpointTo != null) {
                    Checkpoint.write(checkpointTo, net, epoch, config, state(control));
                }
                status = epoch == config.epochs() ? TrialStatus.FINISHED : TrialStatus.PAUSED;
                boolean stop = false;
                for (EpochListener l : listeners) {
                    stop |= l.onEpoch(result) == EpochDecision.STOP;
                }
                if (stop && epoch < config.epochs()) {
                    status = TrialStatus.KILLED;
                    break;
                }
                if (everyFile != null && epoch % checkpointEvery == 0 && epoch < stopAfter) {
                    Checkpoint.write(everyFile, net, epoch, config, state(control));
                    everyStored.accept(everyFile, epoch);
                }
            }
            if (checkpointAtEnd != null && (status == TrialStatus.PAUSED || status == TrialStatus.FINISHED)) {
                Checkpoint.write(checkpointAtEnd, net, last, config, state(control));
            }
        } catch (DivergedException e) {
            return new TrialResult(config, TrialStatus.DIVERGED, results, List.of(),
                    Optional.of("diverged in epoch " + (last + 1) + ": " + e.getMessage()), last);
        } catch (IOException | RuntimeException e) {
            return new TrialResult(config, TrialStatus.FAILED, results, List.of(), Optional.of(stackTrace(e)), last);
        }
        return new TrialResult(config, status, results, session.report(net), Optional.empty(), last);
    }

    /** Returns why an epoch with these losses blew up, by the divergence limits, or empty. */
    private Optional<String> blownUp(double trainLoss, double validationLoss) {
        Optional<Divergence.Baseline> noSkill = task.noSkill(config);
        Optional<String> train = divergence.judge("training loss", trainLoss, bestTrain, noSkill);
        return train.isPresent() ? train : divergence.judge("validation loss", validationLoss, bestValidation, noSkill);
    }

    /** The trainer's state a checkpoint keeps beyond the network: the gradient control's and the best losses. */
    private Map<String, String> state(GradientControl control) {
        Map<String, String> out = new java.util.LinkedHashMap<>(control.state());
        out.put(BEST_TRAIN, Double.toString(bestTrain));
        out.put(BEST_VALIDATION, Double.toString(bestValidation));
        return out;
    }

    private static String stackTrace(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
