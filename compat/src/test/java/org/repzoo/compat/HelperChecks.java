package org.repzoo.compat;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What the helper tests share: a graph's gradient on one batch, and the float copy of a double reference input. */
final class HelperChecks {
    private HelperChecks() {
    }

    static Gradient gradient(ComputationGraph graph, INDArray x, INDArray y) {
        graph.setInputs(x);
        graph.setLabels(y);
        graph.computeGradientAndScore();
        return graph.gradient();
    }

    static INDArray single(INDArray array) {
        return array.castTo(DataType.FLOAT);
    }
}
