package io.rnnsweep.spec;

import io.rnnsweep.space.Domain;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** Writes a validated spec back as YAML with every default filled in: the sweep's resolved spec. */
public final class SpecWriter {
    private SpecWriter() {
    }

    /** Returns the spec as YAML that {@link SpecLoader} reads back to an equal spec. */
    public static String toYaml(SweepSpec s) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", s.name());
        root.put("task", s.task().key());
        root.put("objective", Map.of("metric", s.objective().metric(), "mode", s.objective().mode().key()));
        Map<String, Object> search = new LinkedHashMap<>();
        search.put("algorithm", s.algorithm().key());
        if (s.algorithm() != io.rnnsweep.search.SearchAlgorithm.GRID) {
            search.put("trials", s.trials());
            search.put("seed", s.searchSeed());
        }
        if (s.algorithm() == io.rnnsweep.search.SearchAlgorithm.TPE) {
            search.put("startup_trials", s.startupTrials());
            if (!s.warmStart().isEmpty()) {
                search.put("warm_start", s.warmStart());
            }
        }
        root.put("search", search);
        Map<String, Object> space = new LinkedHashMap<>();
        s.space().forEach((o, d) -> space.put(o.key(), domain(d)));
        root.put("space", space);
        Map<String, Object> fixed = new LinkedHashMap<>();
        s.fixed().forEach((o, v) -> fixed.put(o.key(), v));
        root.put("fixed", fixed);
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("max_concurrent", s.execution().maxConcurrent());
        x.put("cpus_per_trial", s.execution().cpusPerTrial());
        x.put("gpus_per_trial", s.execution().gpusPerTrial());
        s.execution().timeout().ifPresent(t -> x.put("timeout_minutes", t.toSeconds() / 60.0));
        x.put("retries", s.execution().retries());
        x.put("mode", s.execution().mode().key());
        x.put("checkpoint_every", s.execution().checkpointEvery());
        root.put("execution", x);
        SchedulerSpec sc = s.scheduler();
        Map<String, Object> scheduler = new LinkedHashMap<>();
        scheduler.put("algorithm", sc.algorithm().key());
        if (sc.segmented()) {
            scheduler.put("max_epochs", sc.maxEpochs());
            scheduler.put("grace_epochs", sc.graceEpochs());
            if (sc.algorithm().rungBased()) {
                scheduler.put("reduction_factor", sc.reductionFactor());
            }
            if (sc.algorithm() == SchedulerAlgorithm.MEDIAN) {
                scheduler.put("min_samples", sc.minSamples());
            }
            scheduler.put("keep_checkpoints", sc.keep().key());
        }
        sc.checkpointDir().ifPresent(d -> scheduler.put("checkpoint_dir", d));
        root.put("scheduler", scheduler);
        Map<String, Object> divergence = new LinkedHashMap<>();
        divergence.put("baseline_factor", factor(s.divergence().baselineFactor()));
        divergence.put("best_factor", factor(s.divergence().bestFactor()));
        root.put("divergence", divergence);
        Map<String, Object> tracking = new LinkedHashMap<>();
        s.trackingUri().ifPresent(u -> tracking.put("uri", u));
        tracking.put("experiment", s.experiment());
        root.put("tracking", tracking);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options).dump(root);
    }

    private static Object domain(Domain d) {
        if (d instanceof Domain.Or or) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) domain(or.distribution()));
            m.put("or", List.copyOf(or.values()));
            return m;
        }
        if (d instanceof Domain.Choice c) {
            return List.copyOf(c.values());
        } else if (d instanceof Domain.Uniform u) {
            return Map.of("uniform", List.of(u.low(), u.high()));
        } else if (d instanceof Domain.LogUniform l) {
            return Map.of("loguniform", List.of(l.low(), l.high()));
        }
        Domain.IntRange r = (Domain.IntRange) d;
        return Map.of("int", List.of(r.low(), r.high()));
    }

    /** A divergence factor as the spec writes it: the number, or {@code none}. */
    private static Object factor(double f) {
        return Double.isNaN(f) ? "none" : f;
    }
}
