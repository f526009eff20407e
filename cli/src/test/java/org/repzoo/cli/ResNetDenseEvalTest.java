package org.repzoo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repzoo.deploy.InferenceModels;
import org.repzoo.deploy.OpenedModel;
import org.repzoo.evaluation.data.ImageFolder;
import org.repzoo.evaluation.data.Selection;
import org.repzoo.evaluation.engine.Evaluation;
import org.repzoo.evaluation.engine.EvaluationOptions;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.evaluation.metrics.Ranking;
import org.repzoo.evaluation.model.GraphModel;
import org.repzoo.evaluation.protocol.DenseViews;
import org.repzoo.evaluation.protocol.Protocol;
import org.repzoo.evaluation.protocol.ProtocolName;
import org.repzoo.evaluation.protocol.ProtocolSettings;
import org.repzoo.zoo.Fixtures;
import org.repzoo.zoo.core.EvalPreset;

/**
 * ResNet's fully-convolutional multi-scale testing (He et al. 2015, §3.4), {@code eval --protocol dense --scales ...
 * --no-flip}, against PyTorch: tools/reference/resnet_dense_fixtures.py runs torchvision's resnet18 with the hashed
 * weights of hashed_weights.py on four images (150x100 to 40x30) at Q = 64, 96, 128 (the crop 64 allows them), each
 * whole image resized by Pillow, soft-max per scale, mean over the scales; this test imports the same weights with
 * {@code repzoo import}, evaluates the images through the evaluation engine as {@code repzoo eval} sets it up (every
 * class probability within 1e-4, the same top-5), then through the command line itself (the same top-5 in
 * {@code --predictions}).
 */
class ResNetDenseEvalTest {

    private static final String MADE_BY = "/usr/bin/python3 tools/reference/resnet_dense_fixtures.py "
            + "cli/src/test/resources/dense";

    @TempDir
    static Path dir;

    private static JsonNode expected;
    private static Path images;
    private static Path model;
    private static List<Integer> scales;

    @BeforeAll
    static void importResNet18() throws Exception {
        expected = Fixtures.json("/dense/resnet18_dense.json.gz", MADE_BY);
        URL folder = ResNetDenseEvalTest.class.getResource("/dense/images");
        assertNotNull(folder, "/dense/images missing: run " + MADE_BY);
        images = Path.of(folder.toURI());
        model = Cli.imported(dir, "resnet18");
        scales = new ArrayList<Integer>();
        expected.get("scales").forEach(q -> scales.add(q.asInt()));
    }

    /** The fixture's image entry whose path the sample's path ends with. */
    private static JsonNode reference(String samplePath) {
        for (JsonNode image : expected.get("images")) {
            if (samplePath.replace('\\', '/').endsWith(image.get("path").asText())) {
                return image;
            }
        }
        throw new AssertionError(samplePath + " is not in the fixture: run " + MADE_BY);
    }

    private static int[] top5(JsonNode image) {
        int[] top = new int[5];
        for (int i = 0; i < 5; i++) {
            top[i] = image.get("top5").get(i).asInt();
        }
        return top;
    }

    @Test
    void everyClassProbabilityIsPyTorchs() throws Exception {
        Map<String, double[]> scores = new HashMap<>();
        try (OpenedModel opened = InferenceModels.open(model, InferenceModels.Options.defaults(), note -> { })) {
            // what `eval --crop 64` makes of the model's preset: torchvision's, crop 64 (the resize is not used by dense)
            EvalPreset base = opened.preset();
            int crop = expected.get("crop").asInt();
            EvalPreset preset = new EvalPreset(Math.max(base.resizeSize(), crop), crop, base.interpolation(),
                    base.mean(), base.std(), base.channelOrder(), base.scale());
            Member member = opened.member().withPreset(preset);
            Protocol dense = ProtocolSettings.defaults().withScales(scales)
                    .withDenseMirror(DenseViews.Mirroring.ORIGINAL_ONLY).protocol(ProtocolName.DENSE, preset);
            assertEquals(scales.size(), dense.viewsPerImage());
            assertTrue(dense.needsFullyConvolutional());
            Evaluation.run(new Evaluation.Setup(List.of(member), ImageFolder.open(images, null), Selection.all(),
                    List.of(dense), EvaluationOptions.defaults(), null), (done, total) -> { },
                    (sample, protocol, values) -> scores.put(sample.path(), values.clone()));
            // ResNet's head is global pooling + fc: its fully-convolutional form is the net itself (He et al. §3.4)
            assertSame(((GraphModel) opened.model()).graph(), ((GraphModel) member.fullyConvolutional()).graph());
        }
        assertEquals(expected.get("images").size(), scores.size());
        for (Map.Entry<String, double[]> image : scores.entrySet()) {
            JsonNode reference = reference(image.getKey());
            double[] probabilities = image.getValue();
            assertEquals(reference.get("probabilities").size(), probabilities.length);
            double maxDiff = 0;
            double sum = 0;
            for (int c = 0; c < probabilities.length; c++) {
                maxDiff = Math.max(maxDiff, Math.abs(probabilities[c] - reference.get("probabilities").get(c).asDouble()));
                sum += probabilities[c];
            }
            assertEquals(1, sum, 1e-9, image.getKey() + ": soft-max averaged over scales sums to 1");
            assertTrue(maxDiff <= 1e-4, image.getKey() + ": max |p - PyTorch's p| = " + maxDiff);
            assertArrayEquals(top5(reference), Ranking.top(probabilities, 5), image.getKey());
        }
    }

    @Test
    void commandLineGivesPyTorchsTopFive() throws Exception {
        Path csv = dir.resolve("predictions.csv");
        String scaleSet = String.join(",", scales.stream().map(String::valueOf).toList());
        Cli.Run run = Cli.run("eval", model, "--data", images, "--protocol", "dense", "--scales", scaleSet,
                "--no-flip", "--crop", expected.get("crop").asText(), "--predictions", csv);
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("dense: shorter side to " + scaleSet + ", whole image through the "
                + "fully-convolutional net, class scores averaged over the map, soft-max averaged over "
                + scales.size() + " views"), run.out());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("path,label,protocol,top1,top2,top3,top4,top5", lines.get(0));
        assertEquals(expected.get("images").size(), lines.size() - 1);
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",");
            assertEquals("dense", fields[2]);
            int[] top = new int[5];
            for (int i = 0; i < 5; i++) {
                top[i] = Integer.parseInt(fields[3 + i]);
            }
            assertArrayEquals(top5(reference(fields[0])), top, fields[0]);
        }
    }
}
