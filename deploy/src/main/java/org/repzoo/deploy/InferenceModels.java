package org.repzoo.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.deploy.onnx.OnnxDenseForm;
import org.repzoo.deploy.onnx.OnnxExport;
import org.repzoo.deploy.onnx.OnnxFiles;
import org.repzoo.deploy.onnx.OnnxMetadata;
import org.repzoo.deploy.ort.OrtModel;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.evaluation.model.GraphModel;
import org.repzoo.reparam.BatchNormFolder;
import org.repzoo.reparam.FullyConvolutional;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelFileException;
import org.repzoo.zoo.core.ModelFiles;
import org.repzoo.zoo.core.Provenance;
import org.repzoo.zoo.core.SettingException;

/**
 * Opens a model file for inference on an engine: a model zip on DL4J (every conv + batch-norm pair folded unless asked
 * not to) or on ONNX Runtime (the zip's graph exported on the fly), or an {@code .onnx} file on ONNX Runtime. What
 * {@code predict}, {@code eval} and {@code bench} run, whatever the file and the engine.
 */
public final class InferenceModels {

    /**
     * How to open a model.
     *
     * @param engine        the engine, or null: ONNX Runtime for an ONNX file, DL4J for a zip
     * @param threads       the engine's threads (ONNX Runtime's intra-op threads; 0: its default). DL4J's threads are
     *                      ND4J's, set for the whole process by the caller.
     * @param foldBatchNorm DL4J: run a copy of the graph with every conv + batch-norm pair folded into the
     *                      convolution (ONNX Runtime folds them itself)
     * @param oneSize       ONNX Runtime: every image of the run has one size, so a model with a dynamic height and
     *                      width is planned for the size of its first images ({@link OrtModel.Sizes#ONE}); the
     *                      fully-convolutional form stays dynamic
     */
    public record Options(Engine engine, int threads, boolean foldBatchNorm, boolean oneSize) {

        public Options {
            if (threads < 0) {
                throw new IllegalArgumentException("threads must not be negative, got " + threads);
            }
        }

        public static Options defaults() {
            return new Options(null, 0, true, false);
        }

        public Options withEngine(Engine value) {
            return new Options(value, threads, foldBatchNorm, oneSize);
        }

        public Options withThreads(int value) {
            return new Options(engine, value, foldBatchNorm, oneSize);
        }

        public Options withFolding(boolean fold) {
            return new Options(engine, threads, fold, oneSize);
        }

        public Options withOneSize(boolean value) {
            return new Options(engine, threads, foldBatchNorm, value);
        }

        OrtModel.Sizes sizes() {
            return oneSize ? OrtModel.Sizes.ONE : OrtModel.Sizes.ANY;
        }
    }

    private InferenceModels() {
    }

    /** Whether {@code file} is an ONNX file rather than a model zip (by its first bytes, not its name). */
    public static boolean isOnnx(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException(file, "no such file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            return !(head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4);
        }
    }

    /** Opens {@code file}; {@code note} hears of choices made for it (a preset assumed). */
    public static OpenedModel open(Path file, Options options, Consumer<String> note) throws IOException {
        if (isOnnx(file)) {
            if (options.engine() == Engine.DL4J) {
                throw new SettingException("engine", "dl4j cannot run " + file + ": an ONNX model runs on ONNX"
                        + " Runtime (onnxruntime, the default for ONNX files)");
            }
            return openOnnx(file, options, note);
        }
        return openZip(file, options, note);
    }

    private static OpenedModel openOnnx(Path file, Options options, Consumer<String> note) throws IOException {
        OrtModel model = OrtModel.open(file, options.threads(), file.getFileName().toString(), options.sizes(),
                () -> { });
        try {
            Optional<OnnxMetadata> metadata = OnnxMetadata.read(file, model.metadata());
            long[] shape = model.inputShape();
            boolean dynamic = shape[2] < 0 || shape[3] < 0;
            EvalPreset preset;
            InputShape input;
            String architecture = null;
            List<String> names = null;
            if (metadata.isPresent()) {
                preset = metadata.get().preset();
                input = metadata.get().input();
                architecture = metadata.get().architecture();
                names = metadata.get().classNames();
            } else {
                preset = EvalPreset.TORCHVISION_IMAGENET;
                int side = dynamic ? preset.cropSize() : (int) shape[2];
                input = InputShape.of((int) shape[1], side, dynamic ? side : (int) shape[3]);
                note.accept(file.getFileName() + " has no RepZoo metadata; using torchvision's ImageNet preprocessing"
                        + " (resize 256, crop 224, ImageNet mean/std)");
            }
            OpenedModel.DenseForm dense;
            if (dynamic) {
                String denseName = file.getFileName() + " (dense)";
                dense = options.oneSize() ? () -> OrtModel.open(file, options.threads(), denseName) : () -> model;
            } else if (model.metadata().containsKey(OnnxDenseForm.DENSE_HEAD)) {
                dense = () -> onOrt(OnnxDenseForm.convert(OnnxFiles.read(file)), options.threads(),
                        file.getFileName() + " (dense)", OrtModel.Sizes.ANY);
            } else {
                dense = () -> {
                    throw new IllegalArgumentException(file.getFileName() + " takes only " + input + " images and "
                            + "records no dense head to convert: the dense protocols need a fully-convolutional form");
                };
            }
            return new OpenedModel(file.getFileName().toString(), architecture, preset, names, input,
                    Engine.ONNXRUNTIME, model, dense, null);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static OpenedModel openZip(Path file, Options options, Consumer<String> note) throws IOException {
        ComputationGraph graph = ModelFiles.load(file);
        Optional<Provenance> provenance = Provenance.of(file);
        String architecture = provenance.map(Provenance::architecture).orElse(null);
        EvalPreset preset = Member.presetOf(file, note);
        List<String> names = provenance.map(Provenance::classNames).orElse(null);
        InputShape input = inputOf(provenance, preset);
        OnnxMetadata metadata = new OnnxMetadata(architecture, input, preset, names,
                provenance.map(Provenance::toJson).orElse(null));
        return open(graph, file.getFileName().toString(), metadata, options);
    }

    /**
     * A graph in memory (a registered architecture just built, say) on the engine {@code options} name (null:
     * DL4J); {@code metadata} says how it takes images, and goes into the ONNX model for ONNX Runtime.
     */
    public static OpenedModel open(ComputationGraph graph, String name, OnnxMetadata metadata, Options options)
            throws IOException {
        if (options.engine() == Engine.ONNXRUNTIME) {
            OrtModel model = onOrt(graph, metadata, options.threads(), name, options.sizes());
            boolean fullyConvolutional = FullyConvolutional.isFullyConvolutional(graph.getConfiguration());
            OpenedModel.DenseForm dense = fullyConvolutional && !options.oneSize() ? () -> model
                    : () -> onOrt(fullyConvolutional ? graph : FullyConvolutional.of(graph), metadata,
                            options.threads(), name + " (dense)", OrtModel.Sizes.ANY);
            return new OpenedModel(name, metadata.architecture(), metadata.preset(), metadata.classNames(),
                    metadata.input(), Engine.ONNXRUNTIME, model, dense, graph);
        }
        ComputationGraph run = options.foldBatchNorm() && !BatchNormFolder.pairs(graph.getConfiguration()).isEmpty()
                ? BatchNormFolder.foldBatchNorm(graph) : graph;
        return new OpenedModel(name, metadata.architecture(), metadata.preset(), metadata.classNames(),
                metadata.input(), Engine.DL4J, new GraphModel(run), () -> new GraphModel(FullyConvolutional.of(run)),
                run);
    }

    /** The size a zip's model was built for: its provenance's, its architecture's, else its preset's crop. */
    public static InputShape inputOf(Optional<Provenance> provenance, EvalPreset preset) {
        if (provenance.isPresent() && provenance.get().input() != null) {
            return InputShape.parse(provenance.get().input());
        }
        String architecture = provenance.map(Provenance::architecture).orElse(null);
        if (architecture != null && Zoo.registry().contains(architecture)) {
            return Zoo.registry().get(architecture).defaultInput();
        }
        return InputShape.of(preset.channels(), preset.cropSize(), preset.cropSize());
    }

    /**
     * {@code graph} on ONNX Runtime: exported to a temporary ONNX file, which is deleted once the session has read it.
     */
    static OrtModel onOrt(ComputationGraph graph, OnnxMetadata metadata, int threads, String name,
                          OrtModel.Sizes sizes) throws IOException {
        return onOrt(OnnxExport.export(graph, OnnxExport.Options.of(metadata.input()), metadata.properties()), threads,
                name, sizes);
    }

    /**
     * An ONNX model in memory on ONNX Runtime, through a temporary file deleted once the session no longer needs it
     * (at once, or once it has been planned for one size).
     */
    static OrtModel onOrt(org.repzoo.deploy.onnx.proto.Onnx.ModelProto model, int threads, String name,
                          OrtModel.Sizes sizes) throws IOException {
        Path folder = Files.createTempDirectory("repzoo-onnx");
        Path file = folder.resolve("model.onnx");
        Runnable delete = () -> {
            try {
                Files.deleteIfExists(file);
                Files.deleteIfExists(folder);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete the temporary file " + file, e);
            }
        };
        try {
            OnnxFiles.write(file, model);
        } catch (IOException | RuntimeException e) {
            delete.run();
            throw e;
        }
        return OrtModel.open(file, threads, name, sizes, delete);
    }
}
