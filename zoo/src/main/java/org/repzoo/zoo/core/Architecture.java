package org.repzoo.zoo.core;

import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** One buildable architecture: a configuration, plus any initialisation DL4J's weight inits cannot express. */
public interface Architecture {

    ComputationGraphConfiguration configure(String name, ModelOptions options);

    /** Runs after {@code ComputationGraph.init()}: for example torchvision's {@code zero_init_residual}. */
    default void initialize(ComputationGraph graph, ModelOptions options) {
        if (options.zeroInitResidual()) {
            throw new IllegalArgumentException("zero_init_residual applies only to residual networks");
        }
    }

    /** Whether torchvision's {@code transform_input} ({@link ModelOptions#transformInput()}) exists for this architecture. */
    default boolean supportsTransformInput() {
        return false;
    }

    /**
     * Key schemes other than {@link KeyScheme#REFERENCE} (the graph's own names) in which checkpoints of this
     * architecture exist, with the adapter from each to the graph's names.
     */
    default Map<KeyScheme, KeyAdapter> keySchemes() {
        return Map.of();
    }
}
