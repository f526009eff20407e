package org.repzoo.training.regularization;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * RepVGG's custom L2 (Ding et al. 2021; official {@code RepVGGBlock.get_custom_L2}, added to the loss as
 * {@code 0.5 * wd * L2}): per block, the 3x3 kernel's ring of 8 outer weights is decayed as usual, and its centre
 * with the 1x1 kernel through the equivalent centre {@code eq = K3c t3 + K1 t1}, {@code t = gamma / sqrt(var + eps)}
 * of each branch's BN (treated as constants), normalised: {@code sum(eq^2 / (t3^2 + t1^2))}. The gradient added is
 * {@code wd K3} on the ring, {@code wd t3 eq / (t3^2 + t1^2)} on the centre and {@code wd t1 eq / (t3^2 + t1^2)} on
 * the 1x1 kernel.
 *
 * <p>DL4J regularises one parameter at a time, so this is a listener: DL4J calls {@code onGradientCalculation} after
 * the backward pass and before the updater (and its own L2, which the recipe leaves off these kernels), and the
 * gradient arrays it sees are views of the one the updater uses.
 */
public final class EquivalentKernelL2 extends BaseTrainingListener {

    private static final String DENSE = ".rbr_dense";
    private static final String POINTWISE = ".rbr_1x1";

    private final double weightDecay;
    private final List<String> blocks;

    public EquivalentKernelL2(ComputationGraph graph, double weightDecay) {
        this.weightDecay = weightDecay;
        this.blocks = blocks(graph);
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("the equivalent-kernel L2 needs RepVGG blocks with 3x3 and 1x1 branches "
                    + "(rbr_dense, rbr_1x1); this network has none");
        }
    }

    /** Whether a layer is a branch kernel this regularisation decays (so the plain L2 must leave it). */
    public static boolean isBranchKernel(String vertex) {
        return vertex.endsWith(DENSE + ".conv") || vertex.endsWith(POINTWISE + ".conv");
    }

    /** Blocks that have both kernels, by prefix ({@code stage1.0}). */
    static List<String> blocks(ComputationGraph graph) {
        List<String> prefixes = new ArrayList<>();
        for (String name : graph.getConfiguration().getVertices().keySet()) {
            if (name.endsWith(DENSE + ".conv")) {
                String prefix = name.substring(0, name.length() - (DENSE + ".conv").length());
                if (graph.getConfiguration().getVertices().containsKey(prefix + POINTWISE + ".conv")) {
                    prefixes.add(prefix);
                }
            }
        }
        return prefixes;
    }

    public List<String> blockNames() {
        return List.copyOf(blocks);
    }

    @Override
    public void onGradientCalculation(Model model) {
        ComputationGraph graph = (ComputationGraph) model;
        Gradient gradient = graph.gradient();
        // DL4J's updater divides the summed loss gradient by the batch size after this call and adds its own L2
        // after that; multiplying by the batch size makes this term land as wd * grad, like DL4J's L2.
        double coefficient = weightDecay * graph.batchSize();
        for (String block : blocks) {
            addGradient(graph, gradient, block, coefficient);
        }
    }

    private static void addGradient(ComputationGraph graph, Gradient gradient, String block, double weightDecay) {
        INDArray k3 = graph.getLayer(block + DENSE + ".conv").getParam("W");
        INDArray k1 = graph.getLayer(block + POINTWISE + ".conv").getParam("W");
        INDArray g3 = gradient.getGradientFor(block + DENSE + ".conv_W");
        INDArray g1 = gradient.getGradientFor(block + POINTWISE + ".conv_W");
        long out = k3.size(0);
        INDArray t3 = scale(graph, block + DENSE + ".bn").reshape(out, 1, 1, 1);
        INDArray t1 = scale(graph, block + POINTWISE + ".bn").reshape(out, 1, 1, 1);
        INDArray centre = k3.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, 2),
                NDArrayIndex.interval(1, 2));
        INDArray norm = t3.mul(t3).addi(t1.mul(t1));
        INDArray eq = centre.mul(t3).addi(k1.mul(t1));
        INDArray shared = eq.divi(norm).muli(weightDecay);                 // wd eq / (t3^2 + t1^2)
        g3.addi(k3.mul(weightDecay));                                       // the ring (and, for now, the centre)
        INDArray centreGradient = g3.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, 2),
                NDArrayIndex.interval(1, 2));
        centreGradient.subi(centre.mul(weightDecay)).addi(shared.mul(t3)); // centre: replace wd K3c
        g1.addi(shared.mul(t1));
    }

    /** gamma / sqrt(var + eps) of a BatchNorm layer, per channel. */
    private static INDArray scale(ComputationGraph graph, String bn) {
        var layer = graph.getLayer(bn);
        double eps = ((BatchNormalization) layer.conf().getLayer()).getEps();
        INDArray gamma = layer.getParam("gamma");
        INDArray var = layer.getParam("var");
        return gamma.div(Transforms.sqrt(var.add(eps), false)).reshape(gamma.length());
    }
}
