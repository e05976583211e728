package io.rnnsweep.execution;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rnnsweep.spec.SpecLoader;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.TrialStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The driver loop's own cost (jobs/bench-loop.sh): a sweep of trivial trials through the in-process executor,
 * each trial answering at once with its epochs, so the wall time is the loop's (searcher, scheduler, callbacks,
 * console progress, the result). Prints and writes JSON: milliseconds per trial for FIFO and ASHA sweeps.
 */
public final class LoopBench {
    private LoopBench() {
    }

    /** Runs the benchmark: {@code OUT.json [TRIALS]}. */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/bench-loop.json");
        int trials = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("trials", trials);
        result.put("executor", "in-process, trivial trials (every epoch answered at once)");
        for (String scheduler : List.of("{algorithm: fifo}",
                "{algorithm: asha, max_epochs: 9, grace_epochs: 1, reduction_factor: 3}")) {
            SweepSpec spec = SpecLoader.parse("bench.yaml", """
                    name: loop-bench
                    task: hello
                    objective: {metric: val_loss, mode: min}
                    search: {algorithm: random, trials: %d, seed: 1}
                    space:
                      hidden: {int: [2, 64]}
                      lr: {loguniform: [0.0001, 1]}
                    fixed: {epochs: 9}
                    scheduler: %s
                    """.formatted(trials, scheduler));
            List<Double> msPerTrial = new ArrayList<>();
            for (int round = 0; round < 4; round++) { // round 0 warms the JIT up
                long t0 = System.nanoTime();
                try (InProcessExecutor ex = new InProcessExecutor(LoopBench::trivial, SweepLoopTest.NO_CHECKPOINTS)) {
                    new SweepController(spec, ex, 2, spec.scheduler().segmented() ? "mem:/" : null,
                            List.of(new ConsoleProgress(spec, new PrintWriter(Writer.nullWriter())))).run();
                }
                if (round > 0) {
                    msPerTrial.add((System.nanoTime() - t0) / 1e6 / trials);
                }
            }
            msPerTrial.sort(null);
            String name = spec.scheduler().algorithm().key();
            result.put(name + "_ms_per_trial_median", msPerTrial.get(msPerTrial.size() / 2));
            result.put(name + "_ms_per_trial_rounds", msPerTrial);
            System.out.printf("%s: %.3f ms per trial (median of %d rounds of %d trials)%n", name,
                    msPerTrial.get(msPerTrial.size() / 2), msPerTrial.size(), trials);
        }
        write(out, result);
    }

    /** A trial that answers at once: its segment's epochs (or all nine), loss falling with the epoch. */
    private static TrialOutcome trivial(TrialTask task) {
        int epochs = 9;
        int from = task.segment() == null ? 0 : task.segment().from();
        int until = task.segment() == null ? epochs : task.segment().until();
        double a = Double.parseDouble(task.options().get("lr"));
        List<EpochResult> done = new ArrayList<>();
        for (int e = from + 1; e <= until; e++) {
            double loss = a + 1.0 / e;
            done.add(new EpochResult(e, loss, Math.exp(loss), loss, Math.exp(loss), Map.of(), 0.5, 0.5, 0, 100, 1e4,
                    0));
        }
        return new TrialOutcome(task.index(), until == epochs ? TrialStatus.FINISHED : TrialStatus.PAUSED, done,
                List.of(), "", "here", 1, 0, "", "");
    }

    private static void write(Path out, Map<String, Object> result) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), result);
    }
}
