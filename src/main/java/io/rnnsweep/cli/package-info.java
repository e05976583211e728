/**
 * The command line: picocli commands that parse user input, check before anything starts what a command will
 * use (master, resources, writable paths; bad input is exit code 2), wire the parts together, and print.
 */
package io.rnnsweep.cli;
