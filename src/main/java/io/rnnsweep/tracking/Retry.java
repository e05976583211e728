package io.rnnsweep.tracking;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;

/**
 * Calls to a tracking server, retried with exponential backoff when the server is busy (429), failing (5xx)
 * or unreachable; client errors (other 4xx) are not retried. A server that kept failing a sweep's call for its
 * whole patience is taken as down (an outage, reported once per JVM): until it answers again, each call to it is
 * tried once, so that a sweep goes on at its own pace with its records spooled instead of waiting out every
 * call's patience.
 */
final class Retry {
    /** First wait between attempts. */
    static final long FIRST_WAIT_MILLIS = 100;
    /** Longest wait between attempts. */
    static final long MAX_WAIT_MILLIS = 2_000;

    /** When each server (by URI) was found down, for the servers in an outage now. */
    private static final Map<String, Long> DOWN = new ConcurrentHashMap<>();

    private Retry() {
    }

    /**
     * Returns whether {@code failure} is the server's outage (reported once, when it began): a transient failure
     * while the server has failed a call's whole patience and not answered since. Nothing more is to be said of it.
     */
    static boolean duringOutage(TrackingTarget target, RuntimeException failure) {
        return transientFailure(failure) && DOWN.containsKey(target.uri());
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
        return call(call, patienceMillis, () -> false);
    }

    /** Runs {@code call} like {@link #call(Supplier, long)}, giving up early once {@code giveUp} says so. */
    private static <T> T call(Supplier<T> call, long patienceMillis, java.util.function.BooleanSupplier giveUp) {
        long deadline = System.currentTimeMillis() + patienceMillis;
        long wait = FIRST_WAIT_MILLIS;
        while (true) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (!transientFailure(e) || System.currentTimeMillis() + wait > deadline || giveUp.getAsBoolean()) {
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

    /**
     * Runs a call to {@code target} during a sweep like {@link #call(Supplier, long)}, minding outages: a call
     * whose transient failures outlast its patience starts one (reported once), a call while it lasts is tried
     * once, and the first answer ends it.
     */
    static <T> T call(TrackingTarget target, Supplier<T> call, long patienceMillis) {
        String server = target.uri();
        Long since = DOWN.get(server);
        try {
            // A call already waiting when another finds the server down stops waiting too.
            T result = call(call, since == null ? patienceMillis : 0, () -> DOWN.containsKey(server));
            Long ended = DOWN.remove(server);
            if (ended != null) {
                System.err.printf("rnnsweep: the tracking server %s answers again after %d s; what was kept for it"
                        + " is sent now%n", target, (System.currentTimeMillis() - ended) / 1000);
            }
            return result;
        } catch (RuntimeException e) {
            if (since == null && transientFailure(e) && !Thread.currentThread().isInterrupted()
                    && DOWN.putIfAbsent(server, System.currentTimeMillis()) == null) {
                System.err.printf(java.util.Locale.ROOT, "rnnsweep: warning: the tracking server %s has not answered"
                        + " for %.0f s (%s); the"
                        + " sweep goes on: each trial's results are in its output folder, records are kept for the"
                        + " server and sent when it answers again, and what it never takes is written to"
                        + " tracking-unsent.jsonl there%n", target, Math.max(1, patienceMillis / 1000.0), reason(e));
            }
            throw e;
        }
    }

    /** Runs a call to {@code target} during a sweep like {@link #call(TrackingTarget, Supplier, long)}, without a result. */
    static void run(TrackingTarget target, Runnable call, long patienceMillis) {
        call(target, () -> {
            call.run();
            return null;
        }, patienceMillis);
    }

    /** Returns why a call failed in a few words: the HTTP status and message, or the connection's fault. */
    static String reason(RuntimeException e) {
        if (e instanceof MlflowHttpException h) {
            String body = h.getBodyMessage() == null ? "" : h.getBodyMessage().strip();
            return "HTTP " + h.getStatusCode() + (body.isEmpty() ? "" : ": " + (body.length() > 200
                    ? body.substring(0, 200) + "..." : body));
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
