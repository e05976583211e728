/** Pictures of trials and sweeps: PNG plots drawn with XChart, for artifacts and reports. */
package io.rnnsweep.report;
