package io.rnnsweep.trial;

/**
 * A trial option whose value is not allowed; the message names the option, the value and what is allowed.
 *
 * <p>Front ends map it to exit code 2, before anything has been started or written.
 */
public final class InvalidOptionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String option;
    private final String value;
    private final String allowed;

    /**
     * Creates the exception for one option.
     *
     * @param option the option's name as the user writes it (for example {@code hidden})
     * @param value the offending value as given
     * @param allowed what would have been accepted
     */
    public InvalidOptionException(String option, String value, String allowed) {
        super("invalid value for option '" + option + "': '" + value + "' (allowed: " + allowed + ")");
        this.option = option;
        this.value = value;
        this.allowed = allowed;
    }

    /** Returns the option's name. */
    public String option() {
        return option;
    }

    /** Returns the rejected value. */
    public String value() {
        return value;
    }

    /** Returns a description of the accepted values. */
    public String allowed() {
        return allowed;
    }
}
