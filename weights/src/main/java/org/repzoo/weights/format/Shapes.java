package org.repzoo.weights.format;

/** Shape arithmetic that refuses overflow (a crafted header must not wrap around to a small size). */
public final class Shapes {

    /** Largest tensor we read: one Java buffer holds at most 2^31 - 1 bytes. */
    public static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;

    private Shapes() {
    }

    /** Product of the dimensions; throws ArithmeticException on overflow, IllegalArgumentException on a negative. */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d);
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
