package io.rnnsweep.tracking;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Renders and stores trials' artifacts (learning curve, report) off the trials' threads, one at a time, in this
 * JVM: a trial's slot is free for the next trial while its curve is drawn and uploaded. The sweep's driver waits
 * for them before it ends the sweep's parent run; an executor JVM that shuts down waits for them (at most
 * {@value #SHUTDOWN_WAIT_MILLIS} ms).
 */
final class ArtifactUploads {
    /** How long a JVM that shuts down waits for the artifacts still being stored. */
    static final long SHUTDOWN_WAIT_MILLIS = 15_000;
    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "rnnsweep-artifacts");
        t.setDaemon(true);
        return t;
    });
    private static final Object LOCK = new Object();
    private static int pending;

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> await(SHUTDOWN_WAIT_MILLIS),
                    "rnnsweep-artifacts-shutdown"));
        } catch (IllegalStateException shuttingDown) {
            // First used while the JVM already shuts down (a sweep stopped before any trial ended): the sweep's
            // driver still awaits what is queued before it ends the parent run.
        }
    }

    private ArtifactUploads() {
    }

    /** Queues a run's artifact work; a failure in it is its own to report (it never reaches the trial). */
    static void submit(Runnable work) {
        synchronized (LOCK) {
            pending++;
        }
        try {
            WORKER.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException | LinkageError e) {
                    System.err.println("rnnsweep: warning: storing a run's artifacts failed: " + e);
                } finally {
                    done();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done();
        }
    }

    private static void done() {
        synchronized (LOCK) {
            pending--;
            LOCK.notifyAll();
        }
    }

    /**
     * Waits until every artifact queued so far in this JVM is stored (or given up on), at most {@code millis};
     * returns whether none is left.
     */
    static boolean await(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        synchronized (LOCK) {
            while (pending > 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                try {
                    LOCK.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return pending == 0;
                }
            }
            return true;
        }
    }
}
