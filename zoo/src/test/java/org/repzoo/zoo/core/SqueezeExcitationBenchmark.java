package org.repzoo.zoo.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Speed of the excitation step, with oneDNN on: {@link ChannelScale} against the formulation from DL4J's own layers
 * ({@code Upsampling2D} of the [N, C, 1, 1] gate to H x W, then {@code ElementWiseVertex(Product)}). Both run inside
 * the same SE block (pool, two 1x1 convolutions) followed by a per-pixel loss, so what differs is the scale step;
 * both must give the same output. Batch 16, float; the median of the rounds is printed.
 *
 * <pre>{@code mvn -o -pl zoo test -Dtest=SqueezeExcitationBenchmark -Drepzoo.bench=true}</pre>
 */
class SqueezeExcitationBenchmark {

    private static final int BATCH = 16;
    private static final int ROUNDS = 7;
    private static final int WARMUP = 2;
    /** SE-ResNet-50's stage widths and sizes: channels, height = width. */
    private static final int[][] SHAPES = {{256, 56}, {512, 28}, {1024, 14}, {2048, 7}};

    @Test
    @EnabledIfSystemProperty(named = "repzoo.bench", matches = "true")
    void compareFormulations() {
        OneDnn.enable();
        for (int[] shape : SHAPES) {
            run(shape[0], shape[1]);
        }
    }

    private static void run(int channels, int size) {
        Map<String, ComputationGraph> candidates = new LinkedHashMap<>();
        candidates.put("ChannelScale", net(channels, size, false));
        candidates.put("Upsampling2D + Product", net(channels, size, true));
        candidates.values().forEach(n -> n.setParams(candidates.get("ChannelScale").params()));
        INDArray input = Nd4j.rand(DataType.FLOAT, BATCH, channels, size, size).subi(0.5);
        INDArray labels = Nd4j.rand(DataType.FLOAT, BATCH, channels, size, size);
        INDArray expected = candidates.get("ChannelScale").outputSingle(false, input);
        INDArray other = candidates.get("Upsampling2D + Product").outputSingle(false, input);
        assertTrue(expected.equalsWithEps(other, 1e-5), "the formulations disagree");

        Map<String, double[]> forward = new LinkedHashMap<>();
        Map<String, double[]> train = new LinkedHashMap<>();
        candidates.keySet().forEach(k -> {
            forward.put(k, new double[ROUNDS]);
            train.put(k, new double[ROUNDS]);
        });
        for (int round = -WARMUP; round < ROUNDS; round++) {
            for (Map.Entry<String, ComputationGraph> e : candidates.entrySet()) {
                long t0 = System.nanoTime();
                e.getValue().output(false, input);
                long t1 = System.nanoTime();
                e.getValue().fit(new INDArray[] {input}, new INDArray[] {labels});
                long t2 = System.nanoTime();
                if (round >= 0) {
                    forward.get(e.getKey())[round] = (t1 - t0) / 1e9;
                    train.get(e.getKey())[round] = (t2 - t1) / 1e9;
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nSE on %dx%dx%dx%d%n  %-24s %10s %12s%n", BATCH, channels, size, size,
                "candidate", "forward s", "train step s");
        for (String k : candidates.keySet()) {
            System.out.printf(Locale.ROOT, "  %-24s %10.4f %12.4f%n", k, median(forward.get(k)), median(train.get(k)));
        }
    }

    private static ComputationGraph net(int channels, int size, boolean upsampling) {
        GraphScope root = GraphScope.start("bench", InputShape.of(channels, size, size), 5);
        String out = root.squeezeExcitation("se", GraphScope.INPUT, SqueezeExcitation.of(channels / 16));
        ComputationGraphConfiguration conf = root.build(out);
        conf = ComputationGraphConfiguration.fromJson(conf.toJson());
        if (upsampling) {
            conf.getVertices().remove("se.scale");
            conf.getVertexInputs().remove("se.scale");
            ComputationGraphConfiguration.GraphBuilder builder = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                    .dataType(DataType.FLOAT).graphBuilder().addInputs(GraphScope.INPUT)
                    .setInputTypes(InputShape.of(channels, size, size).toInputType());
            for (String name : new String[] {"se.pool", "se.fc1", "se.fc2"}) {
                builder.addVertex(name, conf.getVertices().get(name), conf.getVertexInputs().get(name).toArray(String[]::new));
            }
            builder.addLayer("se.up", new Upsampling2D.Builder(size).build(), "se.fc2")
                    .addVertex("se.scale", new ElementWiseVertex(ElementWiseVertex.Op.Product), GraphScope.INPUT, "se.up");
            return withLoss(builder);
        }
        ComputationGraphConfiguration.GraphBuilder builder = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT).graphBuilder().addInputs(GraphScope.INPUT)
                .setInputTypes(InputShape.of(channels, size, size).toInputType());
        for (String name : new String[] {"se.pool", "se.fc1", "se.fc2", "se.scale"}) {
            builder.addVertex(name, conf.getVertices().get(name), conf.getVertexInputs().get(name).toArray(String[]::new));
        }
        return withLoss(builder);
    }

    private static ComputationGraph withLoss(ComputationGraphConfiguration.GraphBuilder builder) {
        builder.addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                .build(), "se.scale").setOutputs("loss");
        ComputationGraph net = new ComputationGraph(builder.build());
        net.init();
        return net;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
