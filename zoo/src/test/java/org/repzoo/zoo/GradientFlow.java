package org.repzoo.zoo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelOptions;

/** One training-mode backward pass: every learnable parameter must get a finite gradient that is not all zero. */
public final class GradientFlow {

    private GradientFlow() {
    }

    /**
     * Builds {@code entry} at {@code input} with {@code classes} outputs and back-propagates a cross-entropy loss for a
     * batch of 2. BatchNorm running statistics are not learned and are skipped. Returns the number of parameters
     * checked.
     */
    public static int assertEveryParameterGetsAGradient(ModelEntry entry, InputShape input, int classes) {
        ComputationGraph net = entry.init(ModelOptions.defaults().withClasses(classes).withInput(input));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, input.channels(), input.height(), input.width()).subi(0.5);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 2, classes);
        labels.putScalar(0, 0, 1);
        labels.putScalar(1, classes - 1, 1);
        net.setInputs(x);
        net.setLabels(labels);
        net.computeGradientAndScore();
        assertTrue(Double.isFinite(net.score()), entry.name() + ": score " + net.score());
        Map<String, INDArray> gradients = net.gradient().gradientForVariable();
        List<String> dead = new ArrayList<>();
        int checked = 0;
        for (String key : net.paramTable().keySet()) {
            if (key.endsWith("_mean") || key.endsWith("_var")) {
                continue;
            }
            INDArray gradient = gradients.get(key);
            assertNotNull(gradient, entry.name() + ": no gradient for " + key);
            assertFalse(gradient.isNaN().any() || gradient.isInfinite().any(), entry.name() + ": non-finite gradient for " + key);
            if (gradient.amaxNumber().doubleValue() == 0) {
                dead.add(key);
            }
            checked++;
        }
        assertTrue(dead.isEmpty(), entry.name() + ": all-zero gradients for " + dead);
        return checked;
    }
}
