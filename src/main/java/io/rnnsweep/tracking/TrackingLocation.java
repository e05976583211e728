package io.rnnsweep.tracking;

import io.rnnsweep.trial.InvalidOptionException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where a sweep's runs go: a tracking server, or the embedded file store that the driver serves.
 *
 * @param server the server; empty for the embedded store
 * @param store the embedded store's folder; null for a server
 * @param source where the choice came from (for messages): --tracking-uri, the spec, MLFLOW_TRACKING_URI or
 *     the default
 */
public record TrackingLocation(Optional<TrackingTarget> server, Path store, String source) {
    /** The embedded store's default folder. */
    public static final String DEFAULT_STORE = "mlruns";

    /**
     * Resolves the tracking URI: {@code --tracking-uri}, else the spec's {@code tracking.uri}, else
     * {@code MLFLOW_TRACKING_URI}, else {@code ./mlruns}. {@code http(s)://} and {@code databricks[://profile]}
     * name a server (credentials from {@code MLFLOW_TRACKING_TOKEN}, or {@code MLFLOW_TRACKING_USERNAME} and
     * {@code MLFLOW_TRACKING_PASSWORD}); {@code file:DIR}, {@code file:///DIR} or a plain path the embedded store.
     *
     * @throws InvalidOptionException for any other scheme
     */
    public static TrackingLocation resolve(String cli, Optional<String> spec, Map<String, String> env) {
        String uri;
        String source;
        if (cli != null) {
            uri = cli;
            source = "tracking-uri";
        } else if (spec.isPresent()) {
            uri = spec.get();
            source = "tracking.uri";
        } else if (env.get("MLFLOW_TRACKING_URI") != null && !env.get("MLFLOW_TRACKING_URI").isBlank()) {
            uri = env.get("MLFLOW_TRACKING_URI");
            source = "MLFLOW_TRACKING_URI";
        } else {
            return new TrackingLocation(Optional.empty(), Path.of(DEFAULT_STORE), "default");
        }
        String allowed = "http(s)://host[:port], databricks[://profile], file:DIR or a folder path";
        if (uri.isBlank()) {
            throw new InvalidOptionException(source, uri, allowed);
        }
        if (uri.matches("(?i)https?://[^/\\s]+.*")) {
            String token = blankToNull(env.get("MLFLOW_TRACKING_TOKEN"));
            String user = blankToNull(env.get("MLFLOW_TRACKING_USERNAME"));
            return new TrackingLocation(Optional.of(new TrackingTarget(uri.replaceAll("/+$", ""), token, user,
                    user == null ? null : env.get("MLFLOW_TRACKING_PASSWORD"))), null, source);
        }
        if (uri.equals("databricks") || uri.startsWith("databricks://")) {
            return new TrackingLocation(Optional.of(new TrackingTarget(uri, null, null, null)), null, source);
        }
        if (uri.startsWith("file:")) {
            String path = uri.startsWith("file://") ? uri.substring("file://".length()) : uri.substring("file:".length());
            if (path.isEmpty()) {
                throw new InvalidOptionException(source, uri, allowed);
            }
            return new TrackingLocation(Optional.empty(), Path.of(path), source);
        }
        if (uri.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            throw new InvalidOptionException(source, uri, allowed);
        }
        return new TrackingLocation(Optional.empty(), Path.of(uri), source);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Returns the URI to show users (never with credentials). */
    public String display() {
        return server.map(TrackingTarget::toString).orElseGet(() -> "embedded store " + store.toAbsolutePath());
    }
}
