package org.repzoo.reparam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Each function on arrays small enough to compute by hand. */
class KernelMathTest {

    private static INDArray of(long[] shape, double... values) {
        return Nd4j.create(values, shape, DataType.DOUBLE);
    }

    @Test
    void foldingBatchNormScalesEachOutputChannelAndShiftsItsBias() {
        // two 1x1 filters on one input channel: w = [2], [3]; conv bias [1, 0]
        Kernel conv = new Kernel(of(new long[] {2, 1, 1, 1}, 2, 3), of(new long[] {2}, 1, 0));
        // gamma [1, 4], beta [0.5, -1], mean [1, 2], var [3, 15], eps 1 -> sqrt(var + eps) = [2, 4], t = [0.5, 1]
        BatchNormStats bn = new BatchNormStats(of(new long[] {2}, 1, 4), of(new long[] {2}, 0.5, -1),
                of(new long[] {2}, 1, 2), of(new long[] {2}, 3, 15), 1.0);
        Kernel folded = KernelMath.foldBatchNorm(conv, bn);
        assertEquals(of(new long[] {2, 1, 1, 1}, 1, 3), folded.weight());  // 2*0.5, 3*1
        assertEquals(of(new long[] {2}, 0.5, -3), folded.bias());          // 0.5 + (1-1)*0.5, -1 + (0-2)*1
        // y = bn(conv(x)) for x = 5: channel 0: conv 11 -> 1*(11-1)/2 + 0.5 = 5.5 = 1*5 + 0.5
        assertEquals(5.5, folded.weight().getDouble(0, 0, 0, 0) * 5 + folded.bias().getDouble(0), 0);
        assertEquals(of(new long[] {2, 1, 1, 1}, 2, 3), conv.weight(), "input unchanged");
    }

    @Test
    void oneByOneKernelPadsToTheCentreOfAThreeByThree() {
        Kernel padded = KernelMath.pad1x1To3x3(new Kernel(of(new long[] {1, 2, 1, 1}, 7, 8), of(new long[] {1}, 9)));
        assertArrayEquals(new long[] {1, 2, 3, 3}, padded.weight().shape());
        assertEquals(of(new long[] {3, 3}, 0, 0, 0, 0, 7, 0, 0, 0, 0), padded.weight().slice(0).slice(0));
        assertEquals(of(new long[] {3, 3}, 0, 0, 0, 0, 8, 0, 0, 0, 0), padded.weight().slice(0).slice(1));
        assertEquals(15.0, padded.weight().sumNumber().doubleValue(), 0);
        assertEquals(9.0, padded.bias().getDouble(0), 0);
    }

    @Test
    void identityKernelPicksEachChannelsOwnInputWithinItsGroup() {
        Kernel dense = KernelMath.identity(3, 1, DataType.DOUBLE);
        Kernel grouped = KernelMath.identity(4, 2, DataType.DOUBLE);
        assertArrayEquals(new long[] {3, 3, 3, 3}, dense.weight().shape());
        assertArrayEquals(new long[] {4, 2, 3, 3}, grouped.weight().shape());
        for (int out = 0; out < 4; out++) {
            for (int in = 0; in < 2; in++) {
                for (int y = 0; y < 3; y++) {
                    for (int x = 0; x < 3; x++) {
                        double expected = in == out % 2 && y == 1 && x == 1 ? 1 : 0;
                        assertEquals(expected, grouped.weight().getDouble(out, in, y, x), out + "," + in + "," + y + "," + x);
                    }
                }
            }
        }
        assertEquals(3.0, dense.weight().sumNumber().doubleValue(), 0);
        assertEquals(1.0, dense.weight().getDouble(2, 2, 1, 1), 0);
        assertThrows(IllegalArgumentException.class, () -> KernelMath.identity(6, 4, DataType.DOUBLE));
    }

    @Test
    void branchesSumWeightsAndBiases() {
        Kernel a = new Kernel(of(new long[] {1, 1, 1, 1}, 1), of(new long[] {1}, 2));
        Kernel b = new Kernel(of(new long[] {1, 1, 1, 1}, 10), of(new long[] {1}, 20));
        Kernel sum = KernelMath.sum(a, b, a);
        assertEquals(12.0, sum.weight().getDouble(0, 0, 0, 0), 0);
        assertEquals(24.0, sum.bias().getDouble(0), 0);
        assertEquals(1.0, a.weight().getDouble(0, 0, 0, 0), 0);
        assertThrows(IllegalArgumentException.class,
                () -> KernelMath.sum(a, new Kernel(of(new long[] {1, 1, 3, 3}, new double[9]), of(new long[] {1}, 0))));
    }

    @Test
    void sumOfBranchesWrittenInPlaceEqualsTheSumOfTheFoldedBranches() {
        Nd4j.getRandom().setSeed(3);
        long channels = 4;
        int groups = 2;
        Kernel dense = new Kernel(Nd4j.randn(DataType.DOUBLE, channels, channels / groups, 3, 3), Nd4j.zeros(DataType.DOUBLE, channels));
        Kernel pointwise = new Kernel(Nd4j.randn(DataType.DOUBLE, channels, channels / groups, 1, 1), Nd4j.zeros(DataType.DOUBLE, channels));
        BatchNormStats[] bns = new BatchNormStats[3];
        for (int i = 0; i < bns.length; i++) {
            bns[i] = new BatchNormStats(Nd4j.rand(DataType.DOUBLE, channels).addi(0.5), Nd4j.randn(DataType.DOUBLE, channels),
                    Nd4j.randn(DataType.DOUBLE, channels), Nd4j.rand(DataType.DOUBLE, channels).addi(0.5), 1e-3 * (i + 1));
        }
        Kernel expected = KernelMath.sum(KernelMath.foldBatchNorm(dense, bns[0]),
                KernelMath.pad1x1To3x3(KernelMath.foldBatchNorm(pointwise, bns[1])),
                KernelMath.foldBatchNorm(KernelMath.identity(channels, groups, DataType.DOUBLE), bns[2]));
        // the target is a view inside a larger flat array, as a graph's parameters are
        INDArray flat = Nd4j.valueArrayOf(new long[] {1, 2 + channels * channels / groups * 9}, 42.0, DataType.DOUBLE);
        INDArray target = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(1, 1 + channels * channels / groups * 9))
                .reshape(channels, channels / groups, 3, 3);
        INDArray bias = KernelMath.sumOfBranchesInto(target, new KernelMath.Branch(dense, bns[0]),
                new KernelMath.Branch(pointwise, bns[1]), bns[2], groups);
        assertEquals(expected.weight(), flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(1, flat.length() - 1))
                .reshape(channels, channels / groups, 3, 3));
        assertEquals(expected.bias(), bias);
        assertEquals(42.0, flat.getDouble(0, 0), 0, "neighbours untouched");
        assertEquals(42.0, flat.getDouble(0, flat.length() - 1), 0, "neighbours untouched");

        INDArray denseOnly = Nd4j.zeros(DataType.DOUBLE, channels, channels / groups, 3, 3);
        KernelMath.sumOfBranchesInto(denseOnly, new KernelMath.Branch(dense, bns[0]), null, null, groups);
        assertEquals(KernelMath.foldBatchNorm(dense, bns[0]).weight(), denseOnly);
    }
}
