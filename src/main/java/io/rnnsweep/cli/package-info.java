/** The command line: picocli commands that parse user input, report bad input with exit code 2, and print. */
package io.rnnsweep.cli;
