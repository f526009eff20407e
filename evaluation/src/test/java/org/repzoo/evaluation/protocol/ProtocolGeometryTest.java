package org.repzoo.evaluation.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.repzoo.evaluation.EvalSet;
import org.repzoo.zoo.core.EvalPreset;

/**
 * Every protocol's views against two independent references: the worked examples of docs/PROTOCOLS.md §6
 * (worked_examples.json, checked there against torchvision 0.14.1) and the view lists of
 * {@code tools/reference/eval_protocol_fixtures.py}, whose boxes torchvision's {@code center_crop},
 * {@code five_crop} and {@code ten_crop} return on coordinate-encoded tensors.
 */
class ProtocolGeometryTest {

    private static final JsonNode WORKED = EvalSet.json("worked_examples.json");

    static Stream<Arguments> fixtureCases() {
        List<Arguments> cases = new ArrayList<>();
        for (JsonNode c : EvalSet.json("views.json.gz").get("cases")) {
            String name = c.get("protocol").asText() + " resize " + c.get("resize") + " crop " + c.get("crop")
                    + (c.has("scales") ? " scales " + c.get("scales") : "") + (c.has("flip") ? " flip " + c.get("flip")
                    : "") + " on " + c.get("input").get(0) + "x" + c.get("input").get(1);
            cases.add(Arguments.of(name, c));
        }
        return cases.stream();
    }

    /** The whole view list, in order, with weights: scale, box, mirror, output size, network. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtureCases")
    void viewsEqualTheTorchvisionFixture(String name, JsonNode c) {
        int resize = c.get("resize").asInt();
        int crop = c.get("crop").asInt();
        ProtocolSettings settings = ProtocolSettings.defaults();
        if (c.has("scales")) {
            List<Integer> scales = new ArrayList<>();
            c.get("scales").forEach(s -> scales.add(s.asInt()));
            settings = settings.withScales(scales);
        }
        if (c.has("flip") && !c.get("flip").asBoolean()) {
            settings = settings.withDenseMirror(DenseViews.Mirroring.ORIGINAL_ONLY);
        }
        Protocol protocol = settings.protocol(ProtocolName.parse(c.get("protocol").asText()),
                EvalPreset.torchvision(resize, crop));
        List<WeightedView> views = protocol.views(c.get("input").get(0).asInt(), c.get("input").get(1).asInt());
        JsonNode expected = c.get("views");
        assertEquals(expected.size(), views.size(), "view count");
        assertEquals(expected.size(), protocol.viewsPerImage());
        double sum = 0;
        for (int i = 0; i < views.size(); i++) {
            View view = views.get(i).view();
            JsonNode e = expected.get(i);
            int[] actual = {view.scale(), view.box().left(), view.box().top(), view.box().right(), view.box().bottom(),
                view.isMirrored() ? 1 : 0, view.outputSize() == 0 ? -1 : view.outputSize(),
                view.network() == View.Network.CLASSIFIER ? 0 : 1};
            int[] wanted = new int[8];
            for (int k = 0; k < 8; k++) {
                wanted[k] = e.get(k).asInt();
            }
            assertArrayEquals(wanted, actual, "view " + i);
            assertEquals(c.get("weights").get(i).asDouble(), views.get(i).weight(), 1e-15, "weight of view " + i);
            sum += views.get(i).weight();
        }
        assertEquals(1.0, sum, 1e-12);
    }

    /** §6.1: Resize(S) + CenterCrop(C), the single protocol's one view. */
    @Test
    void singleCropBoxesAreTheWorkedExamples() {
        for (JsonNode e : WORKED.get("resize_centercrop")) {
            Protocol single = ProtocolSettings.defaults().protocol(ProtocolName.SINGLE,
                    EvalPreset.torchvision(e.get("resize").asInt(), e.get("crop").asInt()));
            View view = single.views(e.get("input_WxH").get(0).asInt(), e.get("input_WxH").get(1).asInt()).get(0).view();
            assertEquals(box(e.get("box_ltrb")), view.box(), e.toString());
            assertEquals(e.get("resize").asInt(), view.scale());
        }
    }

    /** §6.2: TenCrop(224) after Resize(256), flipped boxes in un-flipped coordinates. */
    @Test
    void tenCropBoxesAreTheWorkedExamples() {
        String[] names = {"tl", "tr", "bl", "br", "center", "flip_tl", "flip_tr", "flip_bl", "flip_br", "flip_center"};
        for (JsonNode e : WORKED.get("tencrop_224_after_resize_256")) {
            List<WeightedView> views = new TenCrop(256, 224).views(e.get("input_WxH").get(0).asInt(),
                    e.get("input_WxH").get(1).asInt());
            for (int i = 0; i < names.length; i++) {
                JsonNode expected = e.get("crops").get(names[i]);
                assertEquals(box(expected), views.get(i).view().box(), names[i] + " " + e.get("input_WxH"));
                assertEquals(expected.get(4).asBoolean(), views.get(i).view().isMirrored(), names[i]);
            }
        }
    }

    /** §6.3: GoogLeNet's squares at four scales and the 18 boxes at S = 256. */
    @Test
    void googLeNetBoxesAreTheWorkedExamples() {
        Protocol googlenet = GoogLeNetCrops.forCrop(224);
        assertEquals(144, googlenet.viewsPerImage());
        for (JsonNode e : WORKED.get("googlenet_144")) {
            int width = e.get("input_WxH").get(0).asInt();
            int height = e.get("input_WxH").get(1).asInt();
            List<View> views = googlenet.views(width, height).stream().map(WeightedView::view).toList();
            e.get("scales").fields().forEachRemaining(scale -> {
                int s = Integer.parseInt(scale.getKey());
                List<View> plain = views.stream().filter(v -> v.scale() == s && !v.isMirrored()).toList();
                List<View> mirrored = views.stream().filter(v -> v.scale() == s && v.isMirrored()).toList();
                assertEquals(18, plain.size());
                assertEquals(plain.stream().map(View::box).toList(), mirrored.stream().map(View::box).toList());
                for (JsonNode b : scale.getValue().get("boxes")) {
                    boolean whole = b.get("crop").asText().startsWith("whole_square");
                    long matches = plain.stream().filter(v -> v.box().equals(box(b.get("box_ltrb")))
                            && v.resizesPatch() == whole && v.patchWidth() == 224).count();
                    assertEquals(1, matches, s + " " + b + " in " + width + "x" + height);
                }
            });
        }
    }

    /** §6.4: the 5x5 grid's offsets, rounding half to even (29.25 -> 29, 58.5 -> 58, 114.5 -> 114, 343.5 -> 344). */
    @Test
    void vggGridOffsetsAreTheWorkedExamples() {
        for (JsonNode e : WORKED.get("vgg_5x5_grid")) {
            int q = e.get("Q").asInt();
            List<View> views = new GridCrops(List.of(q), 224, 5).views(e.get("input_WxH").get(0).asInt(),
                    e.get("input_WxH").get(1).asInt()).stream().map(WeightedView::view).toList();
            assertEquals(50, views.size());
            for (int row = 0; row < 5; row++) {
                for (int column = 0; column < 5; column++) {
                    Box box = views.get(5 * row + column).box();
                    assertEquals(e.get("x_offsets").get(column).asInt(), box.left(), e + " column " + column);
                    assertEquals(e.get("y_offsets").get(row).asInt(), box.top(), e + " row " + row);
                    assertEquals(box, views.get(25 + 5 * row + column).box());
                }
            }
        }
    }

    /** §6.5's resized sizes are the dense views' whole images. */
    @Test
    void denseViewsAreTheWholeResizedImage() {
        for (JsonNode e : WORKED.get("vgg_dense_scoremap_WxH")) {
            int q = e.get("Q").asInt();
            int w = e.get("resized_WxH").get(0).asInt();
            int h = e.get("resized_WxH").get(1).asInt();
            int[] input = w > h ? new int[] {500, 375} : new int[] {375, 500};
            List<WeightedView> views = new DenseViews(List.of(q), 224, DenseViews.Mirroring.WITH_MIRROR)
                    .views(input[0], input[1]);
            assertEquals(2, views.size());
            assertEquals(new Box(0, 0, w, h), views.get(0).view().box());
            assertEquals(View.Network.FULLY_CONVOLUTIONAL, views.get(0).view().network());
            assertEquals(0.5, views.get(1).weight());
        }
    }

    /** VGG §4.1–4.2 (docs/PROTOCOLS.md §1.2): Q from the training scale. */
    @ParameterizedTest
    @CsvSource({"256, 256, 224 256 288", "384, 384, 352 384 416", "256-512, 384, 256 384 512", "256:512, 384, 256 384 512"})
    void testScalesFollowTheTrainingScale(String training, int single, String multi) {
        TrainingScale scale = TrainingScale.parse(training);
        assertEquals(single, scale.singleTestScale());
        assertEquals(Stream.of(multi.split(" ")).map(Integer::valueOf).toList(), scale.testScales());
        ProtocolSettings settings = ProtocolSettings.defaults().withTrainingScale(scale);
        assertEquals(List.of(single), settings.protocol(ProtocolName.SINGLE, EvalPreset.TORCHVISION_IMAGENET).scales());
        assertEquals(scale.testScales(), settings.protocol(ProtocolName.MULTI_CROP, EvalPreset.TORCHVISION_IMAGENET)
                .scales());
    }

    @Test
    void viewCountsAreThePapers() {
        int[] expected = {1, 3, 10, 150, 144, 6, 156};
        ProtocolName[] names = ProtocolName.values();
        for (int i = 0; i < names.length; i++) {
            assertEquals(expected[i], ProtocolSettings.defaults().protocol(names[i], EvalPreset.TORCHVISION_IMAGENET)
                    .viewsPerImage(), names[i].text());
        }
        // dense+multi-crop: each half weighs 1/2 however many views it has (VGG §4.3).
        List<WeightedView> views = ProtocolSettings.defaults().protocol(ProtocolName.DENSE_MULTI_CROP,
                EvalPreset.TORCHVISION_IMAGENET).views(500, 375);
        assertEquals(0.5, views.stream().filter(v -> v.view().network() == View.Network.FULLY_CONVOLUTIONAL)
                .mapToDouble(WeightedView::weight).sum(), 1e-12);
    }

    @Test
    void rejectsScalesBelowTheCrop() {
        var error = assertThrows(IllegalArgumentException.class, () -> ProtocolSettings.defaults()
                .withScales(List.of(200, 256)).protocol(ProtocolName.MULTI_CROP, EvalPreset.TORCHVISION_IMAGENET));
        assertEquals("multi-crop: scale 200 is smaller than the 224 crop (every image is resized so that its shorter"
                + " side is the scale, then cropped)", error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ProtocolName.parse("144"));
        assertThrows(IllegalArgumentException.class, () -> TrainingScale.parse("512-256"));
    }

    private static Box box(JsonNode ltrb) {
        int left = ltrb.get(0).asInt();
        int top = ltrb.get(1).asInt();
        return new Box(left, top, ltrb.get(2).asInt() - left, ltrb.get(3).asInt() - top);
    }
}
