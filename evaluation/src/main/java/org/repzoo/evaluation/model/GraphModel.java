package org.repzoo.evaluation.model;

import java.util.Arrays;
import org.deeplearning4j.exception.DL4JException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A DL4J graph as an {@link ImageModel}: inference mode (batch norm running statistics, no dropout), main head. */
public final class GraphModel implements ImageModel {

    /** DL4J's version, as the engine's name. */
    public static final String ENGINE = "DL4J 1.0.0-M2.1";

    private final ComputationGraph graph;

    public GraphModel(ComputationGraph graph) {
        this.graph = graph;
    }

    public ComputationGraph graph() {
        return graph;
    }

    @Override
    public float[] logits(float[] pixels, int images, int channels, int height, int width) {
        INDArray input = Nd4j.create(pixels, new long[] {images, channels, height, width}, 'c');
        INDArray out;
        try {
            out = graph.output(false, input)[0];
        } catch (DL4JException e) {
            // DL4J's word that the input does not fit the layers (channels, a flattened size); anything else is ours.
            throw new IllegalArgumentException("the model cannot run images of " + channels + "x" + height + "x"
                    + width + ": " + e.getMessage(), e);
        }
        if (out.rank() != 2 || out.size(0) != images) {
            throw new IllegalArgumentException("the model returned shape " + Arrays.toString(out.shape()) + " for "
                    + images + " images; a classifier returns [images, classes]");
        }
        return out.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    @Override
    public boolean threadSafe() {
        return false;
    }

    @Override
    public String engine() {
        return ENGINE;
    }
}
