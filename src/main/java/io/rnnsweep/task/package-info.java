/**
 * The documented RNN tasks, one class each: their data, the DL4J network the seed describes, and their
 * metrics and final report.
 */
package io.rnnsweep.task;
