package org.repzoo.zoo.core;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.compat.BatchNormVariance;
import org.repzoo.compat.OneDnn;

/**
 * The one way RepZoo makes a {@link ComputationGraph}: oneDNN's layer helpers switched on before DL4J instantiates the
 * layers ({@link OneDnn}), batch norm's variance pinned so the configuration survives JSON
 * ({@link BatchNormVariance}), and weights given from outside checked against what the configuration needs.
 */
public final class Graphs {

    private Graphs() {
    }

    /** A registered architecture with fresh weights, initialised as its reference implementation does. */
    public static ComputationGraph build(Architecture architecture, String name, ModelOptions options) {
        ComputationGraph graph = create(architecture.configure(name, options));
        architecture.initialize(graph, options);
        return graph;
    }

    /** A graph of this configuration with DL4J's random initial weights. */
    public static ComputationGraph create(ComputationGraphConfiguration conf) {
        ComputationGraph graph = prepare(conf);
        graph.init();
        return graph;
    }

    /**
     * A graph of this configuration holding {@code params}, every parameter in DL4J's order (the array becomes the
     * graph's: not copied).
     *
     * @throws ParameterCountException when the array's length is not the configuration's parameter count
     */
    public static ComputationGraph withParameters(ComputationGraphConfiguration conf, INDArray params) {
        long expected = parameterCount(conf);
        if (params.length() != expected) {
            throw new ParameterCountException(params.length(), expected);
        }
        ComputationGraph graph = prepare(conf);
        graph.init(params.reshape(1, expected), false);
        return graph;
    }

    /** A graph of this configuration whose every weight the caller is about to write (no random initialisation). */
    public static ComputationGraph uninitialized(ComputationGraphConfiguration conf, DataType type) {
        return withParameters(conf, Nd4j.createUninitialized(type, 1, parameterCount(conf)));
    }

    /** The number of parameters a graph of this configuration holds (nothing allocated). */
    public static long parameterCount(ComputationGraphConfiguration conf) {
        return conf.getVertices().values().stream().mapToLong(v -> v.numParams(true)).sum();
    }

    private static ComputationGraph prepare(ComputationGraphConfiguration conf) {
        OneDnn.enable();
        return new ComputationGraph(BatchNormVariance.pin(conf));
    }
}
