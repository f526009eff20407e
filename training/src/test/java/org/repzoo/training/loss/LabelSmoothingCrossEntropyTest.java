package org.repzoo.training.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.databind.ObjectMapper;

class LabelSmoothingCrossEntropyTest {

    private static final INDArray LOGITS = Nd4j.createFromArray(new double[][] {{1, 2, 3}});
    private static final INDArray LABEL_2 = Nd4j.createFromArray(new double[][] {{0, 0, 1}});

    /**
     * Target (0.1/3, 0.1/3, 0.9 + 0.1/3); log-softmax of (1, 2, 3) is z - 3.40760596; score 0.50760596, gradient
     * softmax - target = (0.05669724, 0.21139514, -0.26809238) (Python, double precision).
     */
    @Test
    void matchesTheSmoothedTargetByHand() {
        LabelSmoothingCrossEntropy loss = new LabelSmoothingCrossEntropy(0.1, 1.0);
        assertEquals(0.5076059644443801, loss.computeScore(LABEL_2, LOGITS, new ActivationIdentity(), null, true),
                1e-12);
        assertArrayEquals(new double[] {0.05669723983704714, 0.21139513772146437, -0.26809237755851134},
                loss.computeGradient(LABEL_2, LOGITS, new ActivationIdentity(), null).toDoubleVector(), 1e-12);
    }

    @Test
    void weightScalesScoreAndGradient() {
        LabelSmoothingCrossEntropy aux = new LabelSmoothingCrossEntropy(0.1, 0.4);
        assertEquals(0.4 * 0.5076059644443801, aux.computeScore(LABEL_2, LOGITS, new ActivationIdentity(), null, true),
                1e-12);
        assertEquals(0.4 * -0.26809237755851134,
                aux.computeGradient(LABEL_2, LOGITS, new ActivationIdentity(), null).getDouble(0, 2), 1e-12);
    }

    /** The analytic gradient against central differences of the score, on a batch of random logits. */
    @Test
    void gradientMatchesFiniteDifferences() {
        Nd4j.getRandom().setSeed(7);
        INDArray logits = Nd4j.randn(DataType.DOUBLE, 3, 5);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 3, 5);
        labels.putScalar(0, 1, 1);
        labels.putScalar(1, 4, 1);
        labels.putScalar(2, 0, 1);
        LabelSmoothingCrossEntropy loss = new LabelSmoothingCrossEntropy(0.2, 0.3);
        INDArray gradient = loss.computeGradient(labels, logits, new ActivationIdentity(), null);
        double h = 1e-6;
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 5; col++) {
                INDArray plus = logits.dup();
                plus.putScalar(row, col, logits.getDouble(row, col) + h);
                INDArray minus = logits.dup();
                minus.putScalar(row, col, logits.getDouble(row, col) - h);
                double numeric = (loss.computeScore(labels, plus, new ActivationIdentity(), null, false)
                        - loss.computeScore(labels, minus, new ActivationIdentity(), null, false)) / (2 * h);
                assertEquals(numeric, gradient.getDouble(row, col), 1e-8);
            }
        }
    }

    @Test
    void survivesJsonAsALossFunction() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ILossFunction loss = new LabelSmoothingCrossEntropy(0.1, 0.4);
        assertEquals(loss, json.readValue(json.writeValueAsString(loss), ILossFunction.class));
    }
}
