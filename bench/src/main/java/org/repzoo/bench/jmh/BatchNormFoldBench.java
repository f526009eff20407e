package org.repzoo.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.repzoo.reparam.BatchNormStats;
import org.repzoo.reparam.Kernel;
import org.repzoo.reparam.KernelMath;

/**
 * The tensor math of re-parameterisation on one RepVGG block's kernels ({@code channels} in = out, 3x3): folding a
 * BatchNorm into a convolution, and the whole block's equivalent kernel (three branches folded, the 1x1 padded, the
 * identity added) written into a preallocated weight, as {@code repzoo convert} does for every block.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class BatchNormFoldBench {

    @Param({"64", "256", "640"})
    public int channels;

    private Kernel dense;
    private Kernel pointwise;
    private BatchNormStats denseNorm;
    private BatchNormStats pointwiseNorm;
    private BatchNormStats identityNorm;
    private INDArray target;

    @Setup
    public void setUp() {
        dense = KernelMath.withoutBias(Nd4j.randn(DataType.FLOAT, channels, channels, 3, 3));
        pointwise = KernelMath.withoutBias(Nd4j.randn(DataType.FLOAT, channels, channels, 1, 1));
        denseNorm = stats();
        pointwiseNorm = stats();
        identityNorm = stats();
        target = Nd4j.createUninitialized(DataType.FLOAT, channels, channels, 3, 3);
    }

    private BatchNormStats stats() {
        return new BatchNormStats(Nd4j.rand(DataType.FLOAT, channels).addi(0.5), Nd4j.randn(DataType.FLOAT, channels),
                Nd4j.randn(DataType.FLOAT, channels), Nd4j.rand(DataType.FLOAT, channels).addi(0.5), 1e-5);
    }

    @Benchmark
    public Kernel foldOne() {
        return KernelMath.foldBatchNorm(dense, denseNorm);
    }

    @Benchmark
    public INDArray blockEquivalentKernel() {
        return KernelMath.sumOfBranchesInto(target, new KernelMath.Branch(dense, denseNorm), new KernelMath.Branch(pointwise, pointwiseNorm),
                identityNorm, 1);
    }
}
