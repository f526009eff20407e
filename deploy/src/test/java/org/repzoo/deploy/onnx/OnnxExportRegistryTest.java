package org.repzoo.deploy.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.deploy.onnx.proto.Onnx.ModelProto;
import org.repzoo.deploy.ort.OrtModel;
import org.repzoo.evaluation.model.GraphModel;
import org.repzoo.reparam.BatchNormFolder;
import org.repzoo.zoo.SmallInputs;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;

/**
 * Every registered architecture, exported at a small input and run by ONNX Runtime, gives DL4J's logits: within 1e-4
 * of the largest logit, and the same top-1 class for every image, from an output declared as (batch, classes). The
 * DL4J engine's batch-norm-folded copy of the graph gives them within 1e-5.
 */
class OnnxExportRegistryTest {

    static Stream<ModelEntry> entries() {
        return Zoo.registry().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void onnxRuntimeOnTheExportAndTheFoldedGraphGiveDl4jsLogits(ModelEntry entry, @TempDir Path dir)
            throws IOException {
        InputShape input = SmallInputs.of(entry);
        ComputationGraph graph = entry.init(SmallInputs.options(entry));
        Path file = dir.resolve(entry.name() + ".onnx");
        ModelProto proto = OnnxExport.export(graph, OnnxExport.Options.of(input), Map.of());
        OnnxFiles.write(file, proto);
        Nd4j.getRandom().setSeed(1);
        INDArray images = Nd4j.rand(DataType.FLOAT, 3, input.channels(), input.height(), input.width()).subi(0.5)
                .muli(4);
        float[] expected = graph.output(false, images)[0].dup('c').data().asFloat();
        float[] pixels = images.dup('c').data().asFloat();
        float[] actual;
        try (OrtModel model = OrtModel.open(file, 2)) {
            actual = model.logits(pixels, 3, input.channels(), input.height(), input.width());
        }
        assertClose(entry.name() + ": ONNX Runtime", expected, actual, 1e-4);
        int classes = expected.length / 3;
        var declared = proto.getGraph().getOutput(0).getType().getTensorType().getShape();
        assertEquals("batch", declared.getDim(0).getDimParam(), entry.name() + ": declared batch");
        assertEquals(classes, declared.getDim(1).getDimValue(), entry.name() + ": declared classes");
        assertArrayEquals(top1(expected, classes), top1(actual, classes), entry.name() + ": top-1 classes");
        Files.delete(file);

        if (!BatchNormFolder.pairs(graph.getConfiguration()).isEmpty()) {
            float[] folded = new GraphModel(BatchNormFolder.foldBatchNorm(graph)).logits(pixels, 3, input.channels(),
                    input.height(), input.width());
            assertClose(entry.name() + ": batch norm folded", expected, folded, 1e-5);
        }
    }

    /** Every value within {@code relative} of the largest expected magnitude. */
    private static void assertClose(String what, float[] expected, float[] actual, double relative) {
        assertEquals(expected.length, actual.length);
        float scale = 0;
        float gap = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            gap = Math.max(gap, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(gap <= relative * Math.max(scale, 1e-3), what + ": max |difference| " + gap
                + " against logits up to " + scale);
    }

    private static int[] top1(float[] logits, int classes) {
        int[] best = new int[logits.length / classes];
        for (int image = 0; image < best.length; image++) {
            for (int c = 1; c < classes; c++) {
                if (logits[image * classes + c] > logits[image * classes + best[image]]) {
                    best[image] = c;
                }
            }
        }
        return best;
    }
}
