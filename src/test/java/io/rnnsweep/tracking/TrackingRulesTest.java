package io.rnnsweep.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.InvalidOptionException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Pure tracking rules: URI resolution, request limits, search filters, gradient health. */
class TrackingRulesTest {
    @Test
    void trackingUriComesFromTheOptionThenTheSpecThenTheEnvironmentThenMlruns() {
        Map<String, String> env = Map.of("MLFLOW_TRACKING_URI", "http://env:5000", "MLFLOW_TRACKING_TOKEN", "tok");
        assertEquals("http://cli:1", TrackingLocation.resolve("http://cli:1/", Optional.of("http://spec:2"), env)
                .server().orElseThrow().uri());
        assertEquals("http://spec:2", TrackingLocation.resolve(null, Optional.of("http://spec:2"), env)
                .server().orElseThrow().uri());
        TrackingTarget fromEnv = TrackingLocation.resolve(null, Optional.empty(), env).server().orElseThrow();
        assertEquals("http://env:5000", fromEnv.uri());
        assertEquals("tok", fromEnv.token());
        assertTrue(!fromEnv.toString().contains("tok"), "credentials never printed: " + fromEnv);
        assertEquals(Path.of("mlruns"), TrackingLocation.resolve(null, Optional.empty(), Map.of()).store());
        assertEquals(Path.of("/tmp/store"), TrackingLocation.resolve("file:///tmp/store", Optional.empty(), Map.of()).store());
        assertEquals(Path.of("runs"), TrackingLocation.resolve("file:runs", Optional.empty(), Map.of()).store());
        assertEquals("databricks://prof", TrackingLocation.resolve("databricks://prof", Optional.empty(), Map.of())
                .server().orElseThrow().uri());
        InvalidOptionException e = assertThrows(InvalidOptionException.class,
                () -> TrackingLocation.resolve("ftp://host/x", Optional.empty(), Map.of()));
        assertEquals("tracking-uri", e.option());
        assertEquals("tracking.uri", assertThrows(InvalidOptionException.class,
                () -> TrackingLocation.resolve(null, Optional.of("s3://bucket"), Map.of())).option());
    }

    @Test
    void batchesAreCutIntoRequestsWithinMlflowsLimits() {
        List<PendingBatch.Point> points = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            points.add(new PendingBatch.Point("m", i, i, i));
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < 150; i++) {
            params.put("p" + i, "v");
        }
        List<PendingBatch> requests = new PendingBatch("r", points, params, Map.of("t", "x".repeat(9000))).requests();
        assertEquals(3, requests.size());
        assertEquals(List.of(1000, 1000, 500), requests.stream().map(r -> r.metrics().size()).toList());
        assertEquals(List.of(100, 50, 0), requests.stream().map(r -> r.params().size()).toList());
        assertEquals(PendingBatch.MAX_TAG_VALUE, requests.get(0).tags().get("t").length());
        assertEquals(2500, requests.stream().mapToInt(r -> r.metrics().size()).sum(), "nothing dropped");
    }

    @Test
    void searchFiltersRoundTripTagValuesWithQuotes() {
        Map<String, String> tags = Map.of("mlflow.parentRunId", "abc", "rnnsweep.trial_id", "it's/trial-001");
        assertEquals(tags, SearchFilter.tagEquals(SearchFilter.of(tags)));
        assertEquals(Map.of("a", "1"), SearchFilter.tagEquals("tags.a = '1'"));
        assertThrows(IllegalArgumentException.class, () -> SearchFilter.tagEquals("metrics.loss < 1"));
    }

    private static EpochResult epoch(int n, double norm, double clip) {
        return new EpochResult(n, 1, Math.E, 1, Math.E, Map.of(), norm, norm, clip, 100, 10, 1);
    }

    @Test
    void gradientHealthNamesExplodingAndVanishingByTheDocumentedThresholds() {
        assertEquals(GradientHealth.HEALTHY, GradientHealth.of(List.of(epoch(1, 1, 0.1), epoch(2, 0.8, 0.2)), false));
        assertEquals(GradientHealth.EXPLODING, GradientHealth.of(List.of(epoch(1, 1, 0.9), epoch(2, 1, 0.8)), false),
                "clipped on most updates");
        assertEquals(GradientHealth.EXPLODING, GradientHealth.of(List.of(epoch(1, 1, 0), epoch(2, 11, 0)), false),
                "norm grew more than 10x");
        assertEquals(GradientHealth.EXPLODING, GradientHealth.of(List.of(), true), "diverged");
        assertEquals(GradientHealth.VANISHING, GradientHealth.of(List.of(epoch(1, 0.1, 0), epoch(2, 5e-5, 0)), false));
        assertEquals(GradientHealth.HEALTHY, GradientHealth.of(List.of(epoch(1, 1, 0), epoch(2, 5e-3, 0)), false),
                "shrunk 200x but not tiny");
        assertEquals(GradientHealth.UNKNOWN, GradientHealth.of(List.of(), false));
    }
}
