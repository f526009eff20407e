package org.repzoo.training.regularization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.training.batch.OutputBatches;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.training.recipe.RecipeApplier;
import org.repzoo.training.recipe.RecipeFiles;
import org.repzoo.training.recipe.Recipes;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.repvgg.RepVgg;
import org.repzoo.zoo.repvgg.RepVggConfig;

/**
 * One real DL4J step with the equivalent-kernel L2 against the same step without any decay: the difference of every
 * branch kernel is {@code -lr} times the official custom L2's gradient, computed here by hand with loops in double from
 * the formula ({@code 0.5 wd (ring^2 + sum eq^2 / (t3^2 + t1^2))}); other weights get plain L2, BN none.
 */
class EquivalentKernelL2Test {

    private static final double WD = 0.05;
    private static final double LR = 0.1;

    private static ComputationGraph graph(Recipe recipe, INDArray params) {
        RepVgg net = new RepVgg(RepVggConfig.A0.resized(List.of(1, 1, 1, 1), 0.05), RepVgg.Form.TRAIN);
        ComputationGraph plain = new ComputationGraph(net.configure("l2", ModelOptions.defaults().withClasses(3)
                .withInput(InputShape.of(2, 8, 8))));
        plain.init(params == null ? null : params.dup(), params == null);
        return RecipeApplier.apply(plain, recipe, 10);
    }

    @Test
    void aStepAddsTheCustomL2GradientOfEachBranchKernel() throws Exception {
        String base = "{\"batchSize\": 4, \"warmupEpochs\": 0, \"learningRate\": " + LR + ", \"referenceBatchSize\": 4, "
                + "\"schedule\": {\"kind\": \"CONSTANT\"}, ";
        Recipe custom = RecipeFiles.override(Recipes.REPVGG, base + "\"weightDecay\": " + WD
                + ", \"decayScope\": \"EQUIVALENT_KERNEL\"}");
        Recipe none = RecipeFiles.override(Recipes.REPVGG, base + "\"weightDecay\": 0}");
        ComputationGraph reference = graph(none, null);
        Nd4j.getRandom().setSeed(3);
        for (String name : reference.getConfiguration().getVertices().keySet()) {
            if (name.endsWith(".bn") || name.endsWith("rbr_identity")) { // non-trivial BN scales t = gamma / sqrt(var + eps)
                reference.getLayer(name).getParam("gamma").assign(Nd4j.rand(DataType.FLOAT, 1, reference.getLayer(name)
                        .getParam("gamma").length()).addi(0.5));
                reference.getLayer(name).getParam("var").assign(Nd4j.rand(DataType.FLOAT, 1, reference.getLayer(name)
                        .getParam("var").length()).addi(0.2));
            }
        }
        INDArray initial = reference.params().dup();
        ComputationGraph regularised = graph(custom, initial);
        EquivalentKernelL2 l2 = new EquivalentKernelL2(regularised, WD);
        regularised.addListeners(l2);
        assertEquals(List.of("stage0", "stage1.0", "stage2.0", "stage3.0", "stage4.0"), l2.blockNames());

        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 2, 8, 8);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 3);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, i % 3, 1);
        }
        ComputationGraph before = graph(none, initial);
        reference.fit(OutputBatches.of(reference, x, y));
        regularised.fit(OutputBatches.of(regularised, x, y));

        for (String block : l2.blockNames()) {
            double[][][][] k3 = weights(before, block + ".rbr_dense.conv");
            double[][][][] k1 = weights(before, block + ".rbr_1x1.conv");
            double[] t3 = scale(before, block + ".rbr_dense.bn");
            double[] t1 = scale(before, block + ".rbr_1x1.bn");
            double[][][][] d3 = difference(regularised, reference, block + ".rbr_dense.conv");
            double[][][][] d1 = difference(regularised, reference, block + ".rbr_1x1.conv");
            for (int o = 0; o < k3.length; o++) {
                for (int i = 0; i < k3[o].length; i++) {
                    double eq = k3[o][i][1][1] * t3[o] + k1[o][i][0][0] * t1[o];
                    double norm = t3[o] * t3[o] + t1[o] * t1[o];
                    for (int r = 0; r < 3; r++) {
                        for (int c = 0; c < 3; c++) {
                            double grad = r == 1 && c == 1 ? WD * t3[o] * eq / norm : WD * k3[o][i][r][c];
                            assertEquals(-LR * grad, d3[o][i][r][c], 2e-6, block + " 3x3 [" + o + "," + i + "," + r + "," + c + "]");
                        }
                    }
                    assertEquals(-LR * WD * t1[o] * eq / norm, d1[o][i][0][0], 2e-6, block + " 1x1");
                }
            }
        }
        INDArray linear = before.getLayer("linear").getParam("W");
        INDArray moved = regularised.getLayer("linear").getParam("W").sub(reference.getLayer("linear").getParam("W"));
        assertEquals(0, moved.sub(linear.mul(-LR * WD)).amaxNumber().doubleValue(), 2e-6); // plain L2 elsewhere
        INDArray gamma = regularised.getLayer("stage1.0.rbr_dense.bn").getParam("gamma");
        assertEquals(gamma, reference.getLayer("stage1.0.rbr_dense.bn").getParam("gamma")); // never BN
        assertTrue(regularised.params().sub(reference.params()).amaxNumber().doubleValue() > 1e-4);
    }

    private static double[][][][] weights(ComputationGraph graph, String layer) {
        INDArray w = graph.getLayer(layer).getParam("W").castTo(DataType.DOUBLE);
        long[] s = w.shape();
        double[][][][] out = new double[(int) s[0]][(int) s[1]][(int) s[2]][(int) s[3]];
        for (int a = 0; a < s[0]; a++) {
            for (int b = 0; b < s[1]; b++) {
                for (int c = 0; c < s[2]; c++) {
                    for (int d = 0; d < s[3]; d++) {
                        out[a][b][c][d] = w.getDouble(a, b, c, d);
                    }
                }
            }
        }
        return out;
    }

    private static double[][][][] difference(ComputationGraph a, ComputationGraph b, String layer) {
        double[][][][] x = weights(a, layer);
        double[][][][] y = weights(b, layer);
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[i].length; j++) {
                for (int k = 0; k < x[i][j].length; k++) {
                    for (int l = 0; l < x[i][j][k].length; l++) {
                        x[i][j][k][l] -= y[i][j][k][l];
                    }
                }
            }
        }
        return x;
    }

    private static double[] scale(ComputationGraph graph, String bn) {
        double[] gamma = graph.getLayer(bn).getParam("gamma").castTo(DataType.DOUBLE).toDoubleVector();
        double[] var = graph.getLayer(bn).getParam("var").castTo(DataType.DOUBLE).toDoubleVector();
        double[] t = new double[gamma.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = gamma[i] / Math.sqrt(var[i] + 1e-5);
        }
        return t;
    }
}
