package io.rnnsweep.spec;

/**
 * A sweep spec that cannot run; the message names the field (a dotted path such as {@code space.lr}), the
 * value and what is allowed. Front ends map it to exit code 2, before any Spark job, run or file exists.
 */
public final class SpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * Creates the exception.
     *
     * @param source the spec file, for the message
     * @param field the dotted path of the offending field
     * @param value the offending value as written
     * @param allowed what would have been accepted
     */
    public SpecException(String source, String field, String value, String allowed) {
        super(source + ": invalid value for field '" + field + "': '" + value + "' (allowed: " + allowed + ")");
        this.field = field;
    }

    /** Returns the dotted path of the offending field. */
    public String field() {
        return field;
    }
}
