package org.repzoo.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.bench.TimingStats;

/**
 * The machine's measured fp32 peak: one large square sgemm through ND4J ({@code Nd4j.gemm} into a preallocated
 * result, so nothing but the multiplication is timed), {@code 2 n^3} floating-point operations per call, median of
 * the timed calls. A well-tuned BLAS reaches 85-95% of the cores' theoretical peak on this; models are compared to it.
 */
public final class SgemmPeak {

    /** Size of the square matrices. 4096: about 137 GFLOP per call, long enough to time, 200 MB of memory. */
    public static final int DEFAULT_SIZE = 4096;

    private SgemmPeak() {
    }

    public record Result(int size, TimingStats seconds, double gflops) {
    }

    public static Result measure(int size, int calls) {
        if (size < 64 || calls < 1) {
            throw new IllegalArgumentException("sgemm size must be >= 64 and calls >= 1, got " + size + ", " + calls);
        }
        INDArray a = Nd4j.rand(DataType.FLOAT, size, size).subi(0.5);
        INDArray b = Nd4j.rand(DataType.FLOAT, size, size).subi(0.5);
        INDArray c = Nd4j.createUninitialized(DataType.FLOAT, size, size);
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0); // warm-up: thread pools, packing buffers
        double[] seconds = new double[calls];
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        TimingStats stats = TimingStats.of(seconds);
        return new Result(size, stats, 2.0 * size * size * (double) size / stats.median() / 1e9);
    }
}
