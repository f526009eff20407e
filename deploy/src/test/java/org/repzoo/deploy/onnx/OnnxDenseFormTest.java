package org.repzoo.deploy.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.compat.OneDnn;
import org.repzoo.deploy.InferenceModels;
import org.repzoo.deploy.OpenedModel;
import org.repzoo.reparam.FullyConvolutional;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.vgg.Vgg;
import org.repzoo.zoo.vgg.VggConfig;

/**
 * The dense form made from an exported VGG's ONNX file alone equals the DL4J graph's fully-convolutional form: the
 * same logits on images larger than the crop (the class score map averaged), whether the export's adaptive pool was
 * the identity (exported at 224) or real bin averages (exported at 256).
 */
class OnnxDenseFormTest {

    @ParameterizedTest
    @ValueSource(ints = {224, 256})
    void theOnnxDenseFormIsTheGraphsFullyConvolutionalForm(int exportSide, @TempDir Path dir) throws IOException {
        List<VggConfig.Layer> layers = new ArrayList<>();
        for (int width : new int[] {8, 8, 16, 16, 16}) {
            layers.add(new VggConfig.Layer(VggConfig.Layer.Kind.CONV, width, 3));
            layers.add(new VggConfig.Layer(VggConfig.Layer.Kind.MAX_POOL, 0, 0));
        }
        OneDnn.enable();
        InputShape input = InputShape.of(3, exportSide, exportSide);
        ComputationGraph vgg = new ComputationGraph(new Vgg(new VggConfig(layers, VggConfig.Normalization.NONE))
                .configure("tiny_vgg", ModelOptions.defaults().withClasses(6).withInput(input)));
        vgg.init();
        Nd4j.getRandom().setSeed(17);
        vgg.params().assign(Nd4j.randn(DataType.FLOAT, vgg.params().shape()).muli(0.05));
        Path file = dir.resolve("tiny_vgg.onnx");
        OnnxMetadata metadata = new OnnxMetadata(null, input, EvalPreset.torchvision(exportSide, exportSide), null,
                null);
        OnnxFiles.write(file, OnnxExport.export(vgg, OnnxExport.Options.of(input), metadata.properties()));

        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 288, 320).subi(0.5);
        float[] expected = FullyConvolutional.of(vgg).output(false, images)[0].dup('c').data().asFloat();
        float[] actual;
        try (OpenedModel opened = InferenceModels.open(file, InferenceModels.Options.defaults(), note -> { })) {
            actual = opened.fullyConvolutional().logits(images.dup('c').data().asFloat(), 2, 3, 288, 320);
        }
        assertEquals(12, actual.length);
        float scale = 0;
        float gap = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            gap = Math.max(gap, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(scale > 1e-3 && gap <= 1e-4 * scale, "max |ONNX dense - DL4J dense| " + gap + " of " + scale);
        assertArrayEquals(argmax(expected), argmax(actual));
    }

    private static int[] argmax(float[] logits) {
        int[] best = new int[2];
        for (int image = 0; image < 2; image++) {
            for (int c = 1; c < 6; c++) {
                if (logits[image * 6 + c] > logits[image * 6 + best[image]]) {
                    best[image] = c;
                }
            }
        }
        return best;
    }
}
