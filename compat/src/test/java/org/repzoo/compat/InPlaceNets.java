package org.repzoo.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The net the in-place tests train: conv, BN, ReLU; two branches (conv + BN each) summed, then ReLU; a BN whose output
 * a ReLU, a convolution (whose backward pass reads it) and a second sum (first input) all read, so neither the ReLU nor
 * the sum may overwrite it; average pooling and a softmax classifier.
 */
final class InPlaceNets {
    private InPlaceNets() {
    }

    static final int N = 8;
    static final int C = 8;
    static final int SIZE = 16;
    static final int CLASSES = 3;

    static ComputationGraph graph(DataType type) {
        OneDnn.enable();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(type)
                .updater(new Sgd(0.1)).convolutionMode(ConvolutionMode.Same).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(SIZE, SIZE, 3))
                .addLayer("conv1", conv(), "in")
                .addLayer("bn1", new BatchNormalization.Builder().build(), "conv1")
                .addLayer("relu1", relu(), "bn1")
                .addLayer("conv2", conv(), "relu1")
                .addLayer("bn2", new BatchNormalization.Builder().build(), "conv2")
                .addLayer("shortcut", conv(), "relu1")
                .addLayer("bn3", new BatchNormalization.Builder().build(), "shortcut")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "bn2", "bn3")
                .addLayer("relu2", relu(), "add")
                .addLayer("bn4", new BatchNormalization.Builder().build(), "relu2")
                .addLayer("relu3", relu(), "bn4")
                .addLayer("side", conv(), "bn4")
                .addVertex("both", new ElementWiseVertex(ElementWiseVertex.Op.Add), "bn4", "side", "relu3")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "both")
                .addLayer("fc", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("fc").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    private static ConvolutionLayer conv() {
        return new ConvolutionLayer.Builder(3, 3).nOut(C).hasBias(false).activation(Activation.IDENTITY).build();
    }

    private static ActivationLayer relu() {
        return new ActivationLayer.Builder().activation(Activation.RELU).build();
    }

    private static INDArray input(long seed, DataType type) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(type, N, 3, SIZE, SIZE);
    }

    private static INDArray labels(long seed, DataType type) {
        Nd4j.getRandom().setSeed(seed);
        INDArray labels = Nd4j.zeros(type, N, CLASSES);
        for (int i = 0; i < N; i++) {
            labels.putScalar(i, Nd4j.getRandom().nextInt(CLASSES), 1);
        }
        return labels;
    }

    private static void train(ComputationGraph graph, DataType type) {
        for (int step = 0; step < 3; step++) {
            graph.fit(new INDArray[] {input(10 + step, type)}, new INDArray[] {labels(20 + step, type)});
        }
    }

    /** Runs one step on a thread of its own, whose workspaces start empty, and returns their size after it. */
    private static long activationBytesOfOneStep(ComputationGraph graph) {
        return CompletableFuture.supplyAsync(() -> {
            graph.fit(new INDArray[] {input(1, DataType.FLOAT)}, new INDArray[] {labels(2, DataType.FLOAT)});
            // ComputationGraph.WS_ALL_LAYERS_ACT: every activation of a training step.
            return Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread("WS_ALL_LAYERS_ACT").getCurrentSize();
        }, command -> new Thread(command).start()).join();
    }

    /** Three SGD steps in doubles on DL4J's own layers, with and without {@code install}: the same bit for bit. */
    static void assertTrainsAsDl4jInDoubles(Consumer<ComputationGraph> install) {
        ComputationGraph expected = graph(DataType.DOUBLE);
        ComputationGraph actual = graph(DataType.DOUBLE);
        install.accept(actual);
        train(expected, DataType.DOUBLE);
        train(actual, DataType.DOUBLE);
        assertArrayEquals(expected.params().toDoubleVector(), actual.params().toDoubleVector());
        assertEquals(expected.score(), actual.score());
    }

    /**
     * Three SGD steps in floats under the batch-norm and convolution helpers, and under every training helper (after
     * {@code check} looked at that graph): the same parameters bit for bit, and the same inference after them.
     */
    static void assertTrainsAsDl4jUnderTheHelpers(Consumer<ComputationGraph> check) {
        ComputationGraph expected = graph(DataType.FLOAT);
        BatchNormHelpers.install(expected);
        ConvolutionHelpers.install(expected);
        ComputationGraph actual = graph(DataType.FLOAT);
        TrainingHelpers.install(actual);
        check.accept(actual);
        train(expected, DataType.FLOAT);
        train(actual, DataType.FLOAT);
        assertArrayEquals(expected.params().toFloatVector(), actual.params().toFloatVector());
        INDArray x = input(99, DataType.FLOAT);
        assertArrayEquals(expected.outputSingle(x).ravel().toFloatVector(),
                actual.outputSingle(x).ravel().toFloatVector(), "inference after training");
    }

    /** How many bytes of activations one step holds less with {@code install} than without. */
    static long activationBytesSaved(Consumer<ComputationGraph> install) {
        long copying = activationBytesOfOneStep(graph(DataType.FLOAT));
        ComputationGraph inPlace = graph(DataType.FLOAT);
        install.accept(inPlace);
        return copying - activationBytesOfOneStep(inPlace);
    }
}
