package io.rnnsweep.execution;

import java.io.Serializable;

/**
 * A record an executor could not send to where trials are recorded (the server stayed unreachable); it comes back
 * with the trial's outcome for the driver's recording callback to replay.
 */
public interface UnsentRecord extends Serializable {
}
