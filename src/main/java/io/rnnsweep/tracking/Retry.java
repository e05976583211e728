package io.rnnsweep.tracking;

import java.util.function.Supplier;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;

/**
 * Calls to a tracking server, retried with exponential backoff when the server is busy (429), failing (5xx)
 * or unreachable; client errors (other 4xx) are not retried.
 */
final class Retry {
    /** First wait between attempts. */
    static final long FIRST_WAIT_MILLIS = 100;
    /** Longest wait between attempts. */
    static final long MAX_WAIT_MILLIS = 2_000;

    private Retry() {
    }

    /** Returns whether a failed call may succeed when tried again. */
    static boolean transientFailure(RuntimeException e) {
        if (e instanceof MlflowHttpException h) {
            return h.getStatusCode() == 429 || (h.getStatusCode() >= 500 && !disabled(h));
        }
        return e instanceof MlflowClientException || e instanceof java.io.UncheckedIOException;
    }

    /**
     * Returns whether a server answered that the endpoint is switched off (MLflow's artifact proxy on a server
     * started with {@code --no-serve-artifacts} answers 503 so): asking again will not change it.
     */
    static boolean disabled(MlflowHttpException h) {
        String body = h.getBodyMessage() == null ? "" : h.getBodyMessage();
        return h.getStatusCode() == 503 && (body.contains("no-serve-artifacts") || body.contains("disabled"));
    }

    /**
     * Runs {@code call}, retrying transient failures until {@code patienceMillis} have passed.
     *
     * @throws RuntimeException the last failure, when it was not transient or patience ran out
     */
    static <T> T call(Supplier<T> call, long patienceMillis) {
        long deadline = System.currentTimeMillis() + patienceMillis;
        long wait = FIRST_WAIT_MILLIS;
        while (true) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (!transientFailure(e) || System.currentTimeMillis() + wait > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                wait = Math.min(MAX_WAIT_MILLIS, wait * 2);
            }
        }
    }

    /** Runs {@code call} like {@link #call(Supplier, long)}, for calls without a result. */
    static void run(Runnable call, long patienceMillis) {
        call(() -> {
            call.run();
            return null;
        }, patienceMillis);
    }
}
