package org.repzoo.evaluation.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repzoo.evaluation.EvalSet;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.ImageFolder;
import org.repzoo.evaluation.data.Selection;
import org.repzoo.evaluation.metrics.Ranking;
import org.repzoo.evaluation.protocol.Protocol;
import org.repzoo.evaluation.protocol.ProtocolName;
import org.repzoo.evaluation.protocol.ProtocolSettings;
import org.repzoo.zoo.core.EvalPreset;

/**
 * The committed image set (6 images, 3 classes, PNG in RGB/grey/palette/RGBA and a JPEG) through every protocol in
 * one pass, against the posteriors an independent implementation computed: PIL decoding, torchvision's transforms
 * ({@code Resize}, {@code CenterCrop}, {@code TenCrop}, {@code five_crop}, {@code hflip}), the same two tiny nets in
 * PyTorch ({@code tools/reference/eval_protocol_fixtures.py}).
 */
class EvaluationEndToEndTest {

    private static Member first;
    private static Member second;
    private static Dataset dataset;
    private static final JsonNode EXPECTED = EvalSet.expected();
    private static final EvalPreset PRESET = EvalSet.PRESET;

    @BeforeAll
    static void load() throws IOException {
        first = new Member("tiny0", null, EvalSet.net(0), PRESET);
        second = new Member("tiny1", null, EvalSet.net(1), PRESET);
        dataset = ImageFolder.open(EvalSet.images(), null);
    }

    static List<Protocol> allProtocols() {
        return Arrays.stream(ProtocolName.values())
                .map(name -> ProtocolSettings.defaults().protocol(name, PRESET)).toList();
    }

    /** Scores per image path and protocol index. */
    private static Map<String, double[]> run(List<Member> members, List<Protocol> protocols, EvaluationOptions options,
                                             List<EvaluationResult> result, Path predictions) throws IOException {
        Map<String, double[]> scores = new HashMap<>();
        Evaluation.Setup setup = new Evaluation.Setup(members, dataset, Selection.all(), protocols, options,
                predictions);
        result.add(Evaluation.run(setup, (done, total) -> { },
                (sample, protocol, values) -> scores.put(sample.path() + "#" + protocol, values.clone())));
        return scores;
    }

    private static String key(JsonNode image, int protocol) {
        return EvalSet.images().resolve(image.get("path").asText()).toString() + "#" + protocol;
    }

    @Test
    void everyProtocolEqualsTheTorchvisionReference(@TempDir Path temp) throws IOException {
        List<Protocol> protocols = allProtocols();
        List<EvaluationResult> results = new ArrayList<>();
        // Batch 7 and two workers: batches straddle images, and images complete out of order on the workers.
        EvaluationOptions options = EvaluationOptions.defaults().withBatchSize(7).withWorkers(2);
        Path csv = temp.resolve("predictions.csv");
        Map<String, double[]> scores = run(List.of(first), protocols, options, results, csv);
        EvaluationResult result = results.get(0);
        assertEquals(6, result.images());
        for (int p = 0; p < protocols.size(); p++) {
            String name = protocols.get(p).name();
            long top1 = 0;
            long top5 = 0;
            for (JsonNode image : EXPECTED.get("images")) {
                double[] expected = EvalSet.doubles(image.get("posteriors").get(name));
                double[] actual = scores.get(key(image, p));
                for (int c = 0; c < expected.length; c++) {
                    // float32 nets on both sides; the patches are byte-identical (Pillow's resampler ported).
                    assertEquals(expected[c], actual[c], 2e-5 * Math.max(1, Math.abs(expected[c])),
                            name + " " + image.get("path") + " class " + c);
                }
                int label = image.get("label").asInt();
                top1 += Ranking.top(expected, 1)[0] == label ? 1 : 0;
                top5 += Ranking.inTop(expected, label, 5) ? 1 : 0;
            }
            ProtocolResult protocol = result.results().get(p);
            assertEquals(top1, protocol.accuracy().top1Correct(), name);
            assertEquals(top5, protocol.accuracy().top5Correct(), name);
            assertEquals(6L * protocols.get(p).viewsPerImage(), protocol.views(), name);
        }
        // Shared views run once: single's centre crop is also ten-crop's, multi-crop's and googlenet-144's.
        long distinctUpperBound = 6L * protocols.stream().mapToInt(Protocol::viewsPerImage).sum();
        assertTrue(result.viewsRun() < distinctUpperBound, result.viewsRun() + " views run");
        List<String> lines = Files.readAllLines(csv);
        assertEquals(1 + 6 * protocols.size(), lines.size());
        assertEquals("path,label,protocol,top1,top2,top3,top4,top5", lines.get(0));
        assertTrue(lines.get(1).matches(".*b1\\.png,0,single,\\d,\\d,\\d,\\d,\\d"), lines.get(1));
        assertEquals(6, result.upscaled(), "all test images are smaller than the crop and upscaled, like torchvision");
    }

    /**
     * VGG §4.4 / docs/PROTOCOLS.md §1.6: the ensemble's posterior is the mean of its members' protocol posteriors.
     */
    @Test
    void ensembleAveragesTheMembersPosteriors() throws IOException {
        List<Protocol> protocols = List.of(
                ProtocolSettings.defaults().protocol(ProtocolName.SINGLE, PRESET),
                ProtocolSettings.defaults().protocol(ProtocolName.TEN_CROP, PRESET),
                ProtocolSettings.defaults().protocol(ProtocolName.DENSE, PRESET));
        List<EvaluationResult> results = new ArrayList<>();
        Map<String, double[]> scores = run(List.of(first, second), protocols, EvaluationOptions.defaults(), results,
                null);
        for (JsonNode image : EXPECTED.get("images")) {
            for (int p = 0; p < protocols.size(); p++) {
                double[] expected = EvalSet.doubles(image.get("ensemble").get(protocols.get(p).name()));
                double[] actual = scores.get(key(image, p));
                double sum = 0;
                for (int c = 0; c < expected.length; c++) {
                    assertEquals(expected[c], actual[c], 2e-5, protocols.get(p).name() + " " + image.get("path"));
                    sum += actual[c];
                }
                assertEquals(1.0, sum, 1e-9, "an ensemble ranks posteriors even for one view");
            }
        }
        assertEquals(2 * 6L * 10, results.get(0).results().get(1).views(), "views counted per model");
    }
}
