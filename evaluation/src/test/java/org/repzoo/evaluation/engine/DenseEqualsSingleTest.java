package org.repzoo.evaluation.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.compat.OneDnn;
import org.repzoo.evaluation.data.ImageFolder;
import org.repzoo.evaluation.data.Selection;
import org.repzoo.evaluation.model.GraphModel;
import org.repzoo.evaluation.protocol.DenseViews;
import org.repzoo.evaluation.protocol.Protocol;
import org.repzoo.evaluation.protocol.ProtocolName;
import org.repzoo.evaluation.protocol.ProtocolSettings;
import org.repzoo.reparam.FullyConvolutional;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.vgg.Vgg;
import org.repzoo.zoo.vgg.VggConfig;

/**
 * docs/PROTOCOLS.md §1.3: at Q = 224 the dense evaluation of a VGG (FC layers as convolutions, whole image) equals
 * the single 224 crop, to float precision. Square images resized to 224 are their own centre crop, so the two
 * protocols see the same pixels and differ only in the network's form.
 */
class DenseEqualsSingleTest {

    @Test
    void denseAt224IsTheSingleCrop(@TempDir Path temp) throws IOException {
        Random random = new Random(5);
        for (String name : List.of("a/one.png", "a/two.png", "b/three.png")) {
            Path file = temp.resolve(name);
            Files.createDirectories(file.getParent());
            int side = 230 + random.nextInt(100);
            BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    image.setRGB(x, y, random.nextInt(1 << 24) & 0x3F3F3F | ((x * 255 / side) << 16) | (y & 0xC0));
                }
            }
            ImageIO.write(image, "png", file.toFile());
        }
        List<VggConfig.Layer> layers = new ArrayList<>();
        for (int width : new int[] {8, 8, 16, 16, 16}) {
            layers.add(new VggConfig.Layer(VggConfig.Layer.Kind.CONV, width, 3));
            layers.add(new VggConfig.Layer(VggConfig.Layer.Kind.MAX_POOL, 0, 0));
        }
        OneDnn.enable();
        ComputationGraph vgg = new ComputationGraph(new Vgg(new VggConfig(layers, VggConfig.Normalization.NONE))
                .configure("tiny_vgg", ModelOptions.defaults().withClasses(6).withInput(InputShape.of(3, 224, 224))));
        vgg.init();
        Nd4j.getRandom().setSeed(17);
        vgg.params().assign(Nd4j.randn(DataType.FLOAT, vgg.params().shape()).muli(0.08));
        EvalPreset preset = EvalPreset.torchvision(224, 224);
        Member member = new Member("tiny_vgg", null, vgg, preset);
        ProtocolSettings settings = ProtocolSettings.defaults().withResize(224).withScales(List.of(224))
                .withDenseMirror(DenseViews.Mirroring.ORIGINAL_ONLY);
        List<Protocol> protocols = List.of(settings.protocol(ProtocolName.SINGLE, preset),
                settings.protocol(ProtocolName.DENSE, preset));
        assertTrue(protocols.get(1).needsFullyConvolutional());
        Map<String, double[][]> scores = new HashMap<>();
        Evaluation.run(new Evaluation.Setup(List.of(member), ImageFolder.open(temp, null), Selection.all(), protocols,
                EvaluationOptions.defaults(), null), (done, total) -> { }, (sample, protocol, values) ->
                scores.computeIfAbsent(sample.path(), k -> new double[2][])[protocol] = values.clone());
        assertEquals(3, scores.size());
        assertTrue(((GraphModel) member.fullyConvolutional()).graph() != vgg && !FullyConvolutional
                .isFullyConvolutional(vgg.getConfiguration()), "VGG's dense form is a converted graph");
        for (Map.Entry<String, double[][]> image : scores.entrySet()) {
            double[] single = image.getValue()[0];
            double[] dense = image.getValue()[1];
            double scale = 0;
            for (double v : single) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertTrue(scale > 1e-2, "logits must not vanish");
            for (int c = 0; c < single.length; c++) {
                assertEquals(single[c], dense[c], 1e-5 * scale, image.getKey() + " class " + c);
            }
        }
    }
}
