package org.repzoo.training.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/** Two updater steps against the update rules written out by hand (torch.optim.SGD, tf.train.RMSPropOptimizer). */
class OptimizerStepsTest {

    private static double[] step(GradientUpdater<?> updater, double[] gradient, int iteration) {
        INDArray g = Nd4j.createFromArray(gradient);
        updater.applyUpdater(g, iteration, 0);
        return g.toDoubleVector();
    }

    private static GradientUpdater<?> instantiate(IUpdater config, int params) {
        INDArray state = Nd4j.zeros(DataType.DOUBLE, 1, config.stateSize(params));
        return config.instantiate(state, true);
    }

    /** v1 = g1 = (1, -2): step 0.1 * v1; v2 = 0.9 * v1 + (0.5, 0.5) = (1.4, -1.3): step 0.1 * v2. */
    @Test
    void sgdMomentumIsPyTorchsHeavyBall() {
        GradientUpdater<?> updater = instantiate(new SgdMomentum(0.1, 0.9), 2);
        assertArrayEquals(new double[] {0.1, -0.2}, step(updater, new double[] {1, -2}, 0), 1e-12);
        assertArrayEquals(new double[] {0.14, -0.13}, step(updater, new double[] {0.5, 0.5}, 1), 1e-12);
    }

    /** The learning rate multiplies the whole velocity (PyTorch), not only the new gradient (Caffe). */
    @Test
    void sgdMomentumAppliesTheCurrentRateToTheVelocity() {
        MapSchedule rates = new MapSchedule.Builder(ScheduleType.ITERATION).add(0, 0.1).add(1, 0.01).build();
        GradientUpdater<?> updater = instantiate(new SgdMomentum(rates, 0.9), 1);
        assertArrayEquals(new double[] {0.1}, step(updater, new double[] {1}, 0), 1e-12);
        // v2 = 0.9 * 1 + 1 = 1.9; PyTorch's step 0.01 * 1.9 (Caffe's would be 0.9 * 0.1 + 0.01 = 0.1)
        assertArrayEquals(new double[] {0.019}, step(updater, new double[] {1}, 1), 1e-12);
    }

    /**
     * ms starts at 1: ms1 = 0.9 + 0.1 * 4 = 1.3, mom1 = 0.1 * 2 / sqrt(2.3) = 0.13187609; ms2 = 1.17 + 0.1 = 1.27,
     * mom2 = 0.9 * mom1 - 0.1 / sqrt(2.27) = 0.05231615 (Python, double precision).
     */
    @Test
    void rmsPropIsTensorFlows() {
        GradientUpdater<?> updater = instantiate(new TfRmsProp(0.1, 0.9, 0.9, 1.0), 1);
        assertEquals(0.13187609467915742, step(updater, new double[] {2}, 0)[0], 1e-12);
        assertEquals(0.0523161540512445, step(updater, new double[] {-1}, 1)[0], 1e-12);
    }

    @Test
    void updatersAreEqualByValueSoDl4jCanJoinTheirBlocks() {
        assertEquals(new SgdMomentum(0.1, 0.9), new SgdMomentum(0.1, 0.9).clone());
        assertEquals(new TfRmsProp(0.045, 0.9, 0.9, 1.0), new TfRmsProp(0.045, 0.9, 0.9, 1.0).clone());
    }
}
