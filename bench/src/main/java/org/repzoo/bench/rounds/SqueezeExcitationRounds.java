package org.repzoo.bench.rounds;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.repzoo.compat.OneDnn;
import org.repzoo.zoo.core.ChannelScale;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.Graphs;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.SqueezeExcitation;

/**
 * Speed of the excitation step, with oneDNN on: {@link ChannelScale} against the formulation from DL4J's own layers
 * ({@code Upsampling2D} of the [N, C, 1, 1] gate to H x W, then {@code ElementWiseVertex(Product)}). Both run inside
 * the same SE block (pool, two 1x1 convolutions) followed by a per-pixel loss, so what differs is the scale step;
 * both must give the same output (the program stops with an error where they do not). Batch 16, float; the median of
 * the rounds is printed. No arguments; {@code -Drepzoo.bench.rounds=N} (default 7) adjusts it:
 *
 * <pre>{@code tools/bench/rounds.sh SqueezeExcitationRounds}</pre>
 */
public final class SqueezeExcitationRounds {

    private static final int BATCH = 16;
    private static final int ROUNDS = Integer.getInteger("repzoo.bench.rounds", 7);
    private static final int WARMUP = 2;
    /** SE-ResNet-50's stage widths and sizes: channels, height = width. */
    private static final int[][] SHAPES = {{256, 56}, {512, 28}, {1024, 14}, {2048, 7}};

    private SqueezeExcitationRounds() {
    }

    public static void main(String[] args) {
        if (args.length > 0) {
            System.err.println("usage: SqueezeExcitationRounds (no arguments; -Drepzoo.bench.rounds=N)");
            System.exit(2);
        }
        OneDnn.enable();
        for (int[] shape : SHAPES) {
            run(shape[0], shape[1]);
        }
    }

    private static void run(int channels, int size) {
        Map<String, ComputationGraph> candidates = new LinkedHashMap<>();
        candidates.put("ChannelScale", net(channels, size, false));
        candidates.put("Upsampling2D + Product", net(channels, size, true));
        candidates.values().forEach(net -> net.setParams(candidates.get("ChannelScale").params()));
        INDArray input = Nd4j.rand(DataType.FLOAT, BATCH, channels, size, size).subi(0.5);
        INDArray labels = Nd4j.rand(DataType.FLOAT, BATCH, channels, size, size);
        INDArray expected = candidates.get("ChannelScale").outputSingle(false, input);
        INDArray other = candidates.get("Upsampling2D + Product").outputSingle(false, input);
        if (!expected.equalsWithEps(other, 1e-5)) {
            throw new IllegalStateException("the formulations disagree at " + channels + "x" + size + "x" + size);
        }

        Map<String, Rounds.Times> times = Rounds.forwardAndTrain(candidates, input, labels, WARMUP, ROUNDS);
        System.out.printf(Locale.ROOT, "%nSE on %dx%dx%dx%d%n", BATCH, channels, size, size);
        Rounds.print(times, 24);
    }

    private static ComputationGraph net(int channels, int size, boolean upsampling) {
        GraphScope root = GraphScope.start("bench", InputShape.of(channels, size, size), 5);
        String out = root.squeezeExcitation("se", GraphScope.INPUT, SqueezeExcitation.of(channels / 16));
        ComputationGraphConfiguration conf = root.build(out);
        conf = ComputationGraphConfiguration.fromJson(conf.toJson());
        if (upsampling) {
            conf.getVertices().remove("se.scale");
            conf.getVertexInputs().remove("se.scale");
            ComputationGraphConfiguration.GraphBuilder builder = new NeuralNetConfiguration.Builder()
                    .dataType(DataType.FLOAT).graphBuilder().addInputs(GraphScope.INPUT)
                    .setInputTypes(InputShape.of(channels, size, size).toInputType());
            for (String name : new String[] {"se.pool", "se.fc1", "se.fc2"}) {
                builder.addVertex(name, conf.getVertices().get(name),
                        conf.getVertexInputs().get(name).toArray(String[]::new));
            }
            builder.addLayer("se.up", new Upsampling2D.Builder(size).build(), "se.fc2")
                    .addVertex("se.scale", new ElementWiseVertex(ElementWiseVertex.Op.Product), GraphScope.INPUT,
                            "se.up");
            return withLoss(builder);
        }
        ComputationGraphConfiguration.GraphBuilder builder = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT).graphBuilder().addInputs(GraphScope.INPUT)
                .setInputTypes(InputShape.of(channels, size, size).toInputType());
        for (String name : new String[] {"se.pool", "se.fc1", "se.fc2", "se.scale"}) {
            builder.addVertex(name, conf.getVertices().get(name),
                    conf.getVertexInputs().get(name).toArray(String[]::new));
        }
        return withLoss(builder);
    }

    private static ComputationGraph withLoss(ComputationGraphConfiguration.GraphBuilder builder) {
        builder.addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                .activation(Activation.IDENTITY).build(), "se.scale").setOutputs("loss");
        return Graphs.create(builder.build());
    }

}
