package io.rnnsweep.tracking;

import java.io.Serializable;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;
import org.mlflow.tracking.creds.MlflowHostCredsProvider;

/**
 * An MLflow tracking server as executors reach it: its URI and the credentials requests carry. The
 * credentials travel with Spark tasks but are never printed ({@link #toString} masks them), logged as
 * params or tags, or written to files.
 *
 * @param uri {@code http(s)://host:port} or {@code databricks[://profile]}
 * @param token a bearer token, or null
 * @param username a basic-auth user, or null
 * @param password a basic-auth password, or null
 */
public record TrackingTarget(String uri, String token, String username, String password) implements Serializable {

    /** Returns a client for this server (mlflow-client does not read credentials from the environment itself). */
    public MlflowClient client() {
        if (uri.startsWith("databricks")) {
            return new MlflowClient(uri);
        }
        MlflowHostCredsProvider creds = token != null ? new BasicMlflowHostCreds(uri, token)
                : username != null ? new BasicMlflowHostCreds(uri, username, password) : new BasicMlflowHostCreds(uri);
        return new MlflowClient(creds);
    }

    /** Returns the value of the Authorization header for raw requests (artifact upload), or null. */
    String authorization() {
        if (token != null) {
            return "Bearer " + token;
        }
        if (username != null) {
            return "Basic " + java.util.Base64.getEncoder().encodeToString(
                    (username + ":" + (password == null ? "" : password)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return null;
    }

    @Override
    public String toString() {
        return uri + (token != null || username != null ? " (with credentials)" : "");
    }
}
