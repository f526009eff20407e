package org.repzoo.deploy.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.repzoo.deploy.ort.OrtModel;
import org.repzoo.weights.Tensors;
import org.repzoo.weights.format.Npy;

/**
 * The demo net's INT8 file on ONNX Runtime against PyTorch's fake quantization of the same net at the file's scales
 * ({@code tools/reference/int8_parity.py}, which wrote the fixture: the int8 file, 256 Fashion-MNIST test images as
 * preprocessed inputs, and PyTorch's logits for them): the same top-1 class for at least 99.5% of the images, and the
 * logits within the gap the script measured over all 10,000 test images.
 */
class QuantizedOnnxParityTest {

    @Test
    void onnxRuntimeOnTheInt8FileIsPyTorchsFakeQuantization() throws IOException, URISyntaxException {
        Path folder = Path.of(QuantizedOnnxParityTest.class.getResource("/int8/summary.json").toURI()).getParent();
        JsonNode summary = new ObjectMapper().readTree(folder.resolve("summary.json").toFile());
        INDArray inputs = Tensors.toFloatArray(Npy.read(folder.resolve("inputs.npy")), "inputs");
        INDArray expected = Tensors.toFloatArray(Npy.read(folder.resolve("torch_logits.npy")), "torch_logits");
        int images = (int) inputs.size(0);
        assertEquals(images, expected.size(0));
        float[] actual;
        try (OrtModel model = OrtModel.open(folder.resolve("demo.int8.onnx"), 1)) {
            actual = model.logits(inputs.dup('c').data().asFloat(), images, (int) inputs.size(1),
                    (int) inputs.size(2), (int) inputs.size(3));
        }
        int classes = (int) expected.size(1);
        float[] reference = expected.dup('c').data().asFloat();
        int same = 0;
        double gap = 0;
        for (int i = 0; i < images; i++) {
            same += argmax(reference, i, classes) == argmax(actual, i, classes) ? 1 : 0;
            for (int c = 0; c < classes; c++) {
                gap = Math.max(gap, Math.abs(reference[i * classes + c] - actual[i * classes + c]));
            }
        }
        assertTrue(same >= Math.ceil(0.995 * images), same + " of " + images + " images have PyTorch's top-1");
        double bound = summary.get("max_abs_logit_gap").asDouble();
        assertTrue(gap <= bound, "largest logit gap " + gap + ", the script's over 10,000 images " + bound);
    }

    private static int argmax(float[] logits, int image, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (logits[image * classes + c] > logits[image * classes + best]) {
                best = c;
            }
        }
        return best;
    }
}
