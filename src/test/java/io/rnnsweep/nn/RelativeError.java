package io.rnnsweep.nn;

/** How far one array of numbers is from a reference, for comparisons at float tolerance. */
final class RelativeError {
    private RelativeError() {
    }

    /** Returns the largest absolute difference, relative to the largest magnitude of the reference. */
    static double of(double[] want, double[] got) {
        if (want.length != got.length) {
            throw new IllegalArgumentException("lengths differ: " + want.length + " vs " + got.length);
        }
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < want.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            diff = Math.max(diff, Math.abs(want[i] - got[i]));
        }
        return diff / Math.max(scale, 1e-30);
    }
}
