package io.rnnsweep.train;

/** Thrown inside training when a loss or gradient is NaN or infinite; the trial ends DIVERGED. */
public final class DivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a description of what went non-finite. */
    public DivergedException(String message) {
        super(message);
    }
}
