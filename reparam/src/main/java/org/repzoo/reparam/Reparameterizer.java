package org.repzoo.reparam;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.ConvLayers;
import org.repzoo.zoo.core.GraphOrder;

/**
 * RepVGG's structural re-parameterisation as a graph transform. A block is found by its structure, not its names:
 * an element-wise sum of two or three BatchNorms over one common input — a 3x3 conv + BN, a 1x1 conv + BN with the
 * same stride and groups, and optionally a BN of the input itself (identity branch). Each block becomes one 3x3
 * convolution with bias, named {@code PREFIX.rbr_reparam} (PREFIX: the sum's name without its last part, e.g.
 * {@code stage1.0}), with a following ReLU fused into it where the sum feeds only that ReLU. Everything else is copied
 * unchanged, so a RepVGG backbone inside a larger net converts too, and RepVGG-D2se's squeeze-excitation blocks (between
 * the sum and the ReLU) keep their parameters and now read the new convolution.
 */
public final class Reparameterizer {

    /** One multi-branch block of a source graph. */
    record Block(String input, String sum, String output, String dense, String denseBn, String pointwise,
                 String pointwiseBn, String identityBn, boolean fuseRelu, Conv spec) {

        List<String> vertices() {
            List<String> all = new ArrayList<>(List.of(sum, dense, denseBn));
            if (pointwise != null) {
                all.addAll(List.of(pointwise, pointwiseBn));
            }
            if (identityBn != null) {
                all.add(identityBn);
            }
            if (!output.equals(sum)) {
                all.add(output);
            }
            return all;
        }

        String reparamName() {
            int cut = sum.lastIndexOf('.');
            return (cut > 0 ? sum.substring(0, cut) : sum) + ".rbr_reparam";
        }
    }

    private Reparameterizer() {
    }

    /** The multi-branch blocks of a graph, in topological order. */
    public static List<Block> blocks(ComputationGraphConfiguration conf) {
        List<Block> blocks = new ArrayList<>();
        for (String name : GraphOrder.topological(conf)) {
            if (conf.getVertices().get(name) instanceof ElementWiseVertex sum && sum.getOp() == ElementWiseVertex.Op.Add) {
                block(conf, name).ifPresent(blocks::add);
            }
        }
        return blocks;
    }

    /** The deploy form of a trained graph (inference only); the input graph is not changed. */
    public static ComputationGraph reparameterize(ComputationGraph trained) {
        ComputationGraphConfiguration conf = trained.getConfiguration();
        List<Block> blocks = blocks(conf);
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("the graph has no RepVGG blocks (a sum of 3x3 conv+BN, 1x1 conv+BN and "
                    + "identity BN branches) to re-parameterise");
        }
        GraphEdit edit = new GraphEdit(conf);
        Map<String, ParamTransfer.KernelWriter> kernels = new HashMap<>();
        Set<String> folded = new LinkedHashSet<>();
        for (Block block : blocks) {
            KernelMath.Branch dense = branch(trained, block.dense(), block.denseBn());
            KernelMath.Branch pointwise = block.pointwise() == null ? null : branch(trained, block.pointwise(), block.pointwiseBn());
            BatchNormStats identity = block.identityBn() == null ? null : ParamTransfer.batchNorm(trained, block.identityBn());
            Conv spec = block.fuseRelu() ? block.spec().relu() : block.spec();
            long nIn = ConvLayers.inputChannels(GraphEdit.layer(conf, block.dense()));
            edit.replace(block.vertices(), block.output(), block.reparamName(), ConvLayers.create(spec, nIn),
                    block.input(), (LayerVertex) conf.getVertices().get(block.dense()));
            kernels.put(block.reparamName(),
                    weight -> KernelMath.sumOfBranchesInto(weight, dense, pointwise, identity, block.spec().groups()));
            folded.addAll(block.vertices());
        }
        return ParamTransfer.build(trained, edit.result(), kernels, folded);
    }

    private static KernelMath.Branch branch(ComputationGraph graph, String conv, String bn) {
        return new KernelMath.Branch(ParamTransfer.kernel(graph, conv), ParamTransfer.batchNorm(graph, bn));
    }

    private static Optional<Block> block(ComputationGraphConfiguration conf, String sum) {
        List<String> bns = conf.getVertexInputs().get(sum);
        if (bns.size() < 2 || bns.size() > 3) {
            return Optional.empty();
        }
        String input = null;
        String dense = null;
        String denseBn = null;
        String pointwise = null;
        String pointwiseBn = null;
        String identity = null;
        for (String bn : bns) {
            if (!(GraphEdit.layer(conf, bn) instanceof BatchNormalization)
                    || !GraphEdit.consumers(conf, bn).equals(List.of(sum))) {
                return Optional.empty();
            }
            String before = conf.getVertexInputs().get(bn).get(0);
            Optional<Conv> conv = ConvLayers.describe(GraphEdit.layer(conf, before));
            if (conv.isPresent() && GraphEdit.consumers(conf, before).equals(List.of(bn))
                    && conv.get().activation() == Activation.IDENTITY) {
                String convInput = conf.getVertexInputs().get(before).get(0);
                if (input != null && !input.equals(convInput)) {
                    return Optional.empty();
                }
                input = convInput;
                Conv c = conv.get();
                if (c.kernelHeight() == 3 && c.kernelWidth() == 3 && c.padHeight() == 1 && c.padWidth() == 1 && dense == null) {
                    dense = before;
                    denseBn = bn;
                } else if (c.kernelHeight() == 1 && c.kernelWidth() == 1 && c.padHeight() == 0 && c.padWidth() == 0
                        && pointwise == null) {
                    pointwise = before;
                    pointwiseBn = bn;
                } else {
                    return Optional.empty();
                }
            } else {
                if (identity != null) {
                    return Optional.empty();
                }
                identity = bn; // a BN of the block input itself: the identity branch, checked below
            }
        }
        if (dense == null || input == null) {
            return Optional.empty();
        }
        Conv spec = ConvLayers.describe(GraphEdit.layer(conf, dense)).orElseThrow();
        if (pointwise != null) {
            Conv p = ConvLayers.describe(GraphEdit.layer(conf, pointwise)).orElseThrow();
            if (p.strideHeight() != spec.strideHeight() || p.strideWidth() != spec.strideWidth()
                    || p.groups() != spec.groups() || p.outChannels() != spec.outChannels()) {
                return Optional.empty();
            }
        }
        if (identity != null && (!conf.getVertexInputs().get(identity).get(0).equals(input)
                || spec.strideHeight() != 1 || spec.strideWidth() != 1
                || ConvLayers.inputChannels(GraphEdit.layer(conf, dense)) != spec.outChannels())) {
            return Optional.empty();
        }
        String output = sum;
        boolean fuseRelu = false;
        List<String> after = GraphEdit.consumers(conf, sum);
        if (after.size() == 1 && GraphEdit.layer(conf, after.get(0)) instanceof ActivationLayer relu
                && relu.getActivationFn() instanceof ActivationReLU) {
            output = after.get(0);
            fuseRelu = true;
        }
        return Optional.of(new Block(input, sum, output, dense, denseBn, pointwise, pointwiseBn, identity, fuseRelu,
                spec.withBias()));
    }
}
