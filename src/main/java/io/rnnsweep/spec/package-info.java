/**
 * Sweep specifications: immutable records read from a YAML file and validated before anything runs, with
 * errors that name the field, the value and what is allowed.
 */
package io.rnnsweep.spec;
