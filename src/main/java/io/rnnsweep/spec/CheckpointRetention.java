package io.rnnsweep.spec;

import java.util.Locale;

/** Which trial checkpoints a scheduled sweep keeps when the trials end ({@code scheduler.keep_checkpoints}). */
public enum CheckpointRetention {
    /** Delete every trial's checkpoint when the trial ends. */
    NONE,
    /** Keep the final checkpoint of each trial that trained to the end; delete those of stopped trials. */
    FINISHED,
    /** Keep every trial's last checkpoint, stopped trials' too. */
    ALL;

    /** Returns the name users write ({@code none}, {@code finished}, {@code all}). */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
