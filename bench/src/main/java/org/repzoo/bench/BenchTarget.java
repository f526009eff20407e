package org.repzoo.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.deploy.Engine;
import org.repzoo.deploy.InferenceModels;
import org.repzoo.deploy.OpenedModel;
import org.repzoo.deploy.onnx.OnnxMetadata;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.GraphStats;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.Provenance;

/**
 * What a benchmark times: for inference a model opened on an engine, for training steps the DL4J graph as built;
 * with its input, its forward multiply-adds per image (from the DL4J graph, or from the registered architecture an
 * ONNX file names; -1 unknown) and the bytes of its weights.
 *
 * @param opened the model to time inference of (null in training mode)
 * @param train  the graph to time training steps of (null in inference mode)
 */
public record BenchTarget(String name, String engine, OpenedModel opened, ComputationGraph train, InputShape input,
                          long multiplyAdds, long weightBytes) implements AutoCloseable {

    /**
     * @param model   a registered name (fresh weights), a model zip or an ONNX file
     * @param input   the input to time at, or null for the model's own
     * @param options the inference engine, threads and folding (inference mode)
     * @param note    hears of choices made for the model (a preset assumed)
     */
    public static BenchTarget load(String model, ModelBenchmark.Mode mode, InputShape input,
                                   InferenceModels.Options options, Consumer<String> note) throws IOException {
        boolean train = mode == ModelBenchmark.Mode.TRAIN;
        if (train && options.engine() == Engine.ONNXRUNTIME) {
            throw new IllegalArgumentException("training steps run on DL4J, not on ONNX Runtime");
        }
        boolean isFile = model.endsWith(".zip") || model.endsWith(".onnx") || Files.exists(Path.of(model));
        if (!isFile) {
            ModelEntry entry = Zoo.registry().get(model);
            InputShape shape = input == null ? entry.defaultInput() : input;
            ComputationGraph graph = entry.init(ModelOptions.defaults().withInput(shape));
            long macs = GraphStats.of(graph.getConfiguration(), shape).multiplyAdds();
            long bytes = bytes(graph);
            if (train) {
                return new BenchTarget(entry.name(), Engine.DL4J.toString(), null, graph, shape, macs, bytes);
            }
            OpenedModel opened = InferenceModels.open(graph, entry.name(), new OnnxMetadata(entry.name(), shape,
                    entry.preset(), null, null), options);
            return new BenchTarget(entry.name(), opened.engine().toString(), opened, null, shape, macs, bytes);
        }
        Path file = Path.of(model);
        if (train) {
            if (InferenceModels.isOnnx(file)) {
                throw new IllegalArgumentException(file + " is an ONNX model: training steps run on DL4J, from a "
                        + "model zip or a registered name");
            }
            ComputationGraph graph = Zoo.load(file);
            InputShape shape = input != null ? input
                    : InferenceModels.inputOf(Provenance.of(file), Member.presetOf(file, note));
            return new BenchTarget(file.getFileName().toString(), Engine.DL4J.toString(), null, graph, shape,
                    GraphStats.of(graph.getConfiguration(), shape).multiplyAdds(), bytes(graph));
        }
        OpenedModel opened = InferenceModels.open(file, options, note);
        InputShape shape = input != null ? input : opened.input();
        long macs = opened.graph().map(g -> GraphStats.of(g.getConfiguration(), shape).multiplyAdds())
                .orElseGet(() -> registeredMultiplyAdds(opened, shape));
        long bytes = opened.graph().map(BenchTarget::bytes).orElse(Files.size(file));
        return new BenchTarget(file.getFileName().toString(), opened.engine().toString(), opened, null, shape, macs,
                bytes);
    }

    /** Times one batch size of this target. */
    public ModelBenchmark.Result run(ModelBenchmark.Settings settings, java.util.function.IntConsumer progress) {
        return train != null ? ModelBenchmark.run(train, input, multiplyAdds, settings, progress)
                : ModelBenchmark.run(opened.model(), input, multiplyAdds, weightBytes, settings, progress);
    }

    @Override
    public void close() {
        if (opened != null) {
            opened.close();
        }
    }

    private static long bytes(ComputationGraph graph) {
        return graph.params().length() * graph.params().dataType().width();
    }

    /** An ONNX file's multiply-adds, from the registered architecture its metadata names; -1 without one. */
    private static long registeredMultiplyAdds(OpenedModel opened, InputShape shape) {
        if (opened.architecture() == null || !Zoo.registry().contains(opened.architecture())) {
            return -1;
        }
        ModelEntry entry = Zoo.registry().get(opened.architecture());
        float[] blank = new float[shape.channels() * shape.height() * shape.width()];
        int classes = opened.model().logits(blank, 1, shape.channels(), shape.height(), shape.width()).length;
        var conf = entry.configure(ModelOptions.defaults().withInput(shape).withClasses(classes));
        return GraphStats.of(conf, shape).multiplyAdds();
    }
}
