package org.repzoo.evaluation.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.repzoo.evaluation.data.BadInput;
import org.repzoo.evaluation.metrics.Accuracy;
import org.repzoo.zoo.core.AtomicFiles;
import org.repzoo.zoo.core.EvalPreset;

/**
 * The JSON report ({@code --report out.json}). Its top level is the first protocol's result, so
 * {@code .top1_error} reads the same for one protocol or several; {@code protocols} holds every protocol's,
 * side by side for {@code --compare}. Every number comes with what produced it (docs/PROTOCOLS.md §7.6): models,
 * protocol description and scales, preprocessing (resize rule, interpolation, normalisation, channel order),
 * dataset and selection, counts, timings. Errors are fractions in [0, 1].
 */
public final class Report {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Report() {
    }

    public static ObjectNode of(Evaluation.Setup setup, EvaluationResult result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("created", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        root.put("model", String.join(",", setup.members().stream().map(Member::name).toList()));
        ArrayNode models = root.putArray("models");
        for (Member member : setup.members()) {
            ObjectNode node = models.addObject();
            node.put("file", member.name());
            node.put("architecture", member.architecture());
            node.put("classes", member.classes());
            node.set("preprocessing", preprocessing(member.preset()));
        }
        if (setup.members().size() > 1) {
            root.put("ensemble", "soft-max posteriors averaged over the " + setup.members().size() + " models");
        }
        ObjectNode dataset = root.putObject("dataset");
        dataset.put("kind", setup.dataset().kind());
        dataset.put("location", setup.dataset().location());
        dataset.put("classes", setup.dataset().classNames().size());
        dataset.put("images", setup.dataset().samples().size());
        dataset.put("selection", setup.selection().toString());
        ArrayNode protocols = JSON.createArrayNode();
        for (ProtocolResult protocol : result.results()) {
            protocols.add(protocol(setup, result, protocol));
        }
        root.setAll((ObjectNode) protocols.get(0).deepCopy());
        root.set("protocols", protocols);
        root.put("views_run", result.viewsRun());
        ObjectNode timings = root.putObject("timings");
        timings.put("seconds", result.timings().total());
        timings.put("images_per_second", result.imagesPerSecond());
        timings.put("views_per_second", result.viewsPerSecond());
        timings.put("model_seconds", result.timings().model());
        timings.put("wait_seconds", result.timings().waiting());
        timings.put("batching_seconds", result.timings().batching());
        timings.put("prepare_seconds", result.timings().prepare());
        timings.put("pipeline_overhead", result.timings().overhead());
        timings.put("workers", setup.options().workers());
        timings.put("batch", setup.options().batchSize());
        root.put("bad_input_count", result.badInputCount());
        ArrayNode bad = root.putArray("bad_inputs");
        for (BadInput input : result.badInputs()) {
            bad.addObject().put("path", input.path()).put("problem", input.problem());
        }
        root.put("nan_image_count", result.nanImageCount());
        ArrayNode nan = root.putArray("nan_images");
        result.nanImages().forEach(nan::add);
        root.put("upscaled_images", result.upscaled());
        return root;
    }

    private static ObjectNode protocol(Evaluation.Setup setup, EvaluationResult result, ProtocolResult protocol) {
        Accuracy accuracy = protocol.accuracy();
        ObjectNode node = JSON.createObjectNode();
        node.put("protocol", protocol.protocol().name());
        node.put("description", protocol.protocol().description());
        ArrayNode scales = node.putArray("scales");
        protocol.protocol().scales().forEach(scales::add);
        node.put("crop", protocol.protocol().crop());
        node.put("views_per_image", protocol.protocol().viewsPerImage());
        node.put("images", accuracy.images());
        node.put("views", protocol.views());
        node.put("top1_error", accuracy.top1Error());
        node.put("top5_error", accuracy.top5Error());
        ObjectNode counts = node.putObject("counts");
        counts.put("top1_correct", accuracy.top1Correct());
        counts.put("top5_correct", accuracy.top5Correct());
        counts.put("nan_images", accuracy.nanImages());
        counts.put("tie_decided_top1", accuracy.tieDecidedTop1());
        counts.put("tie_decided_top5", accuracy.tieDecidedTop5());
        counts.put("bad_inputs", result.badInputCount());
        counts.put("upscaled_images", result.upscaled());
        ArrayNode perClass = node.putArray("per_class");
        List<String> names = setup.dataset().classNames();
        for (int c = 0; c < accuracy.classes(); c++) {
            ObjectNode entry = perClass.addObject();
            entry.put("class", c);
            entry.put("name", names.get(c));
            entry.put("images", accuracy.imagesOf(c));
            entry.put("top1_correct", accuracy.top1CorrectOf(c));
            entry.put("top5_correct", accuracy.top5CorrectOf(c));
        }
        return node;
    }

    private static ObjectNode preprocessing(EvalPreset preset) {
        ObjectNode node = JSON.createObjectNode();
        node.put("resize", "shorter side, torchvision 0.14 integer rule (P1)");
        node.put("resize_size", preset.resizeSize());
        node.put("crop_size", preset.cropSize());
        node.put("centre_offset", "rint((L - c) / 2), half to even (P2)");
        node.put("interpolation", preset.interpolation().name().toLowerCase(java.util.Locale.ROOT)
                + ", antialiased (Pillow's Resample.c, P5)");
        ArrayNode mean = node.putArray("mean");
        preset.mean().forEach(mean::add);
        ArrayNode std = node.putArray("std");
        preset.std().forEach(std::add);
        node.put("channel_order", preset.channelOrder().name());
        node.put("pixel_scale", preset.scale() == 1 ? "[0, 1]" : "0..255");
        return node;
    }

    public static String json(Evaluation.Setup setup, EvaluationResult result) throws IOException {
        return JSON.writeValueAsString(of(setup, result));
    }

    /** Writes the report atomically (never a half-written file). */
    public static void write(Path file, Evaluation.Setup setup, EvaluationResult result) throws IOException {
        String text = json(setup, result);
        AtomicFiles.write(file, temp -> java.nio.file.Files.writeString(temp, text + "\n"));
    }
}
