package org.repzoo.deploy.quantize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.deploy.InferenceModels;
import org.repzoo.deploy.onnx.OnnxBatchNormFolding;
import org.repzoo.deploy.onnx.OnnxExport;
import org.repzoo.deploy.onnx.OnnxFiles;
import org.repzoo.deploy.onnx.OnnxMetadata;
import org.repzoo.deploy.onnx.OnnxTensors;
import org.repzoo.deploy.onnx.proto.Onnx.ModelProto;
import org.repzoo.deploy.onnx.proto.Onnx.NodeProto;
import org.repzoo.deploy.onnx.proto.Onnx.StringStringEntryProto;
import org.repzoo.deploy.onnx.proto.Onnx.TensorProto;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.Sample;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.evaluation.image.ImageFileException;
import org.repzoo.evaluation.image.Preprocessing;
import org.repzoo.reparam.BatchNormFolder;
import org.repzoo.reparam.Reparameterizer;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelFileException;
import org.repzoo.zoo.core.ModelFiles;
import org.repzoo.zoo.core.Provenance;

/**
 * Post-training INT8 quantization of a model's deploy form, written as ONNX in QDQ form ({@link QdqRewriter}) for
 * ONNX Runtime: a RepVGG train form is re-parameterised first, every convolution + batch norm pair is folded, weights
 * become int8 (symmetric, per output channel by default), and each activation a quantized layer reads gets a uint8
 * range calibrated ({@link Calibration}) on images drawn through the model's evaluation preset. By default the first
 * convolution (it reads the normalised image) and the classifier stay in float: the choice and its measurements are in
 * docs/QUANTIZATION.md.
 */
public final class Quantizer {

    /** How weights are quantized. */
    public enum Weights {
        PER_CHANNEL, PER_TENSOR;

        /** "per-channel" or "per-tensor"; anything else is refused, naming the value. */
        public static Weights parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "per-channel" -> PER_CHANNEL;
                case "per-tensor" -> PER_TENSOR;
                default -> throw new IllegalArgumentException("unknown weight quantization '" + text
                        + "': choose per-channel or per-tensor");
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The metadata key of what the quantizer did. */
    public static final String QUANTIZATION_KEY = "repzoo.quantization";

    /**
     * How to quantize.
     *
     * @param weights     per output channel or per tensor
     * @param activations how activation ranges are calibrated
     * @param images      calibration images (at most the dataset's)
     * @param keepFloat   names of the nodes to leave in float; null: the first convolution and the classifier
     * @param threads     ONNX Runtime's threads while calibrating (0: one per core)
     */
    public record Options(Weights weights, Calibration activations, int images, List<String> keepFloat,
                          int threads) {

        public static final int DEFAULT_IMAGES = 512;

        public Options {
            if (images < 1) {
                throw new IllegalArgumentException("calibration needs at least 1 image, got " + images);
            }
            keepFloat = keepFloat == null ? null : List.copyOf(keepFloat);
        }

        public static Options defaults() {
            return new Options(Weights.PER_CHANNEL, Calibration.parse("minmax"), DEFAULT_IMAGES, null, 0);
        }

        public Options with(Weights value) {
            return new Options(value, activations, images, keepFloat, threads);
        }

        public Options with(Calibration value) {
            return new Options(weights, value, images, keepFloat, threads);
        }

        public Options withImages(int value) {
            return new Options(weights, activations, value, keepFloat, threads);
        }

        public Options withKeepFloat(List<String> names) {
            return new Options(weights, activations, images, names, threads);
        }

        public Options withThreads(int value) {
            return new Options(weights, activations, images, keepFloat, value);
        }
    }

    /** The quantized model and what was done to make it. */
    public record Result(ModelProto model, EvalPreset preset, List<String> quantized, List<String> keptFloat,
                         int activationTensors, int calibrationImages) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 16;
    private static final Set<String> QUANTIZED_OPS = Set.of("QuantizeLinear", "DequantizeLinear", "QLinearConv",
            "QLinearMatMul", "ConvInteger", "MatMulInteger");

    private Quantizer() {
    }

    /**
     * Quantizes the model in {@code file} (a model zip or a float ONNX file) with ranges calibrated on {@code
     * calibration}; {@code note} hears what was done to the model first, {@code progress} the images calibrated (each
     * image counts once per pass: twice for the histogram methods).
     */
    public static Result quantize(Path file, Dataset calibration, Options options, Consumer<String> note,
                                  IntConsumer progress) throws IOException {
        Prepared prepared = prepare(file, note);
        ModelProto model = prepared.model();
        List<String> keepFloat = keepFloat(model, options.keepFloat());
        Set<String> quantized = new LinkedHashSet<>();
        Set<String> tensors = new LinkedHashSet<>();
        Map<String, TensorProto> initializers = OnnxTensors.initializers(model.getGraph());
        for (NodeProto node : model.getGraph().getNodeList()) {
            if (QdqRewriter.QUANTIZED_OPERATORS.contains(node.getOpType()) && !keepFloat.contains(node.getName())) {
                quantized.add(node.getName());
                tensors.addAll(QdqRewriter.activationInputs(node, initializers));
            }
        }
        if (quantized.isEmpty()) {
            throw new IllegalArgumentException(file + " has no convolution, linear, pooling or add layer left to "
                    + "quantize (kept in float: " + keepFloat + ")");
        }
        List<Sample> samples = calibrationSamples(calibration, options.images());
        if (samples.isEmpty()) {
            throw new IllegalArgumentException(calibration.location() + " holds no images to calibrate with");
        }
        EvalPreset preset = prepared.preset();
        int side = preset.cropSize();
        long[] shape = {preset.channels(), side, side};
        Map<String, ActivationRanges.Range> ranges = ActivationRanges.collect(model, tensors,
                (from, to) -> pixels(samples.subList(from, to), preset), samples.size(), BATCH, shape,
                options.activations(), options.threads(), progress);
        Map<String, LinearQuantization.Parameters> parameters = new LinkedHashMap<>();
        ranges.forEach((tensor, range) -> parameters.put(tensor, parameters(range, options.activations())));
        ModelProto rewritten = QdqRewriter.rewrite(model, parameters, options.weights() == Weights.PER_CHANNEL
                ? QdqRewriter.Weights.PER_CHANNEL : QdqRewriter.Weights.PER_TENSOR, quantized);
        ObjectNode record = JSON.createObjectNode();
        record.put("weights", options.weights().toString() + " int8, symmetric");
        record.put("activations", "uint8, " + options.activations());
        record.put("calibration", calibration.location());
        record.put("calibration_images", samples.size());
        keepFloat.forEach(record.putArray("float_nodes")::add);
        record.put("quantized_nodes", quantized.size());
        ModelProto.Builder result = rewritten.toBuilder().clearMetadataProps();
        rewritten.getMetadataPropsList().stream().filter(p -> !p.getKey().equals(QUANTIZATION_KEY))
                .forEach(result::addMetadataProps);
        result.addMetadataProps(StringStringEntryProto.newBuilder().setKey(QUANTIZATION_KEY)
                .setValue(record.toString()));
        return new Result(result.build(), preset, List.copyOf(quantized), keepFloat, tensors.size(), samples.size());
    }

    /** A tensor's quantization: [0, t] for one that never goes negative, else [-t, t] within what was seen. */
    static LinearQuantization.Parameters parameters(ActivationRanges.Range range, Calibration calibration) {
        double threshold = calibration.threshold(range.maxAbs(), range.histogram, range.min >= 0);
        if (range.min >= 0) {
            return LinearQuantization.asymmetric(0, Math.min(range.max, threshold));
        }
        return LinearQuantization.asymmetric(Math.max(range.min, -threshold), Math.min(range.max, threshold));
    }

    /** The float deploy form as ONNX, with how to prepare its images. */
    private record Prepared(ModelProto model, EvalPreset preset) {
    }

    private static Prepared prepare(Path file, Consumer<String> note) throws IOException {
        if (InferenceModels.isOnnx(file)) {
            ModelProto model = OnnxFiles.read(file);
            Optional<String> quantized = model.getGraph().getNodeList().stream().map(NodeProto::getOpType)
                    .filter(QUANTIZED_OPS::contains).findFirst();
            if (quantized.isPresent()) {
                throw new ModelFileException(file, "is already quantized (it has " + quantized.get() + " nodes)");
            }
            OnnxBatchNormFolding.Folded folded = OnnxBatchNormFolding.fold(model);
            if (folded.pairs() > 0) {
                note.accept("folded " + folded.pairs() + " conv + BatchNorm pairs");
            }
            Map<String, String> properties = new LinkedHashMap<>();
            model.getMetadataPropsList().forEach(p -> properties.put(p.getKey(), p.getValue()));
            EvalPreset preset = OnnxMetadata.read(file, properties).map(OnnxMetadata::preset).orElseGet(() -> {
                note.accept(file.getFileName() + " has no RepZoo metadata; calibrating with torchvision's ImageNet "
                        + "preprocessing");
                return EvalPreset.TORCHVISION_IMAGENET;
            });
            return new Prepared(folded.model(), preset);
        }
        ComputationGraph graph = ModelFiles.load(file);
        Optional<Provenance> provenance = Provenance.of(file);
        String architecture = provenance.map(Provenance::architecture).orElse(null);
        int blocks = Reparameterizer.blocks(graph.getConfiguration()).size();
        if (blocks > 0) {
            graph = Reparameterizer.reparameterize(graph);
            note.accept("converted " + blocks + " RepVGG blocks to the deploy form first (INT8 quantizes the plain "
                    + "3x3 stack)");
            if (architecture != null && Zoo.registry().contains(architecture + "_deploy")) {
                architecture = architecture + "_deploy";
            }
        }
        int pairs = BatchNormFolder.pairs(graph.getConfiguration()).size();
        if (pairs > 0) {
            graph = BatchNormFolder.foldBatchNorm(graph);
            note.accept("folded " + pairs + " conv + BatchNorm pairs");
        }
        EvalPreset preset = Member.presetOf(file, note);
        InputShape input = InferenceModels.inputOf(provenance, preset);
        OnnxMetadata metadata = new OnnxMetadata(architecture, input, preset,
                provenance.map(Provenance::classNames).orElse(null), provenance.map(Provenance::toJson).orElse(null));
        return new Prepared(OnnxExport.export(graph, OnnxExport.Options.of(input), metadata.properties()), preset);
    }

    /**
     * The nodes to leave in float: those named (each must exist), or by default the first convolution (it reads the
     * network input) and the linear layer that makes the logits.
     */
    static List<String> keepFloat(ModelProto model, List<String> names) {
        Set<String> nodes = new LinkedHashSet<>();
        model.getGraph().getNodeList().forEach(n -> nodes.add(n.getName()));
        if (names != null) {
            for (String name : names) {
                if (!nodes.contains(name)) {
                    throw new IllegalArgumentException("no node named '" + name + "' to keep in float (the nodes are "
                            + "the model's layer names, e.g. " + String.join(", ", nodes.stream().limit(3).toList())
                            + ")");
                }
            }
            return List.copyOf(names);
        }
        List<String> defaults = new ArrayList<>();
        String input = model.getGraph().getInput(0).getName();
        model.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv") && n.getInput(0).equals(input))
                .findFirst().ifPresent(n -> defaults.add(n.getName()));
        String logits = model.getGraph().getOutput(0).getName();
        model.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Gemm")
                && n.getOutput(0).equals(logits)).findFirst().ifPresent(n -> defaults.add(n.getName()));
        return defaults;
    }

    /** {@code count} images chosen at random (seed 0) from the dataset, in dataset order. */
    static List<Sample> calibrationSamples(Dataset dataset, int count) {
        List<Integer> indices = new ArrayList<>(IntStream.range(0, dataset.samples().size()).boxed().toList());
        Collections.shuffle(indices, new Random(0));
        List<Integer> chosen = new ArrayList<>(indices.subList(0, Math.min(count, indices.size())));
        Collections.sort(chosen);
        return chosen.stream().map(dataset.samples()::get).toList();
    }

    private static float[] pixels(List<Sample> samples, EvalPreset preset) throws IOException {
        int size = preset.channels() * preset.cropSize() * preset.cropSize();
        float[] pixels = new float[samples.size() * size];
        for (int i = 0; i < samples.size(); i++) {
            Sample sample = samples.get(i);
            float[] chw;
            try {
                chw = Preprocessing.apply(sample.image().read(), preset);
            } catch (ImageFileException e) {
                throw new IOException(sample.path() + ": calibration image unreadable (" + e.getMessage() + ")", e);
            }
            System.arraycopy(chw, 0, pixels, i * size, size);
        }
        return pixels;
    }
}
