package org.repzoo.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.evaluation.model.ImageModel;
import org.repzoo.evaluation.model.OnFirstUse;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.InputShape;

/**
 * A model file opened on an engine ({@link InferenceModels#open}): the model to run, how its images are prepared,
 * its class names, the input it was built for, and its fully-convolutional form for the dense protocols (made on
 * first use). Close it to release ONNX Runtime's sessions.
 */
public final class OpenedModel implements AutoCloseable {

    /** Makes the fully-convolutional form, or says why there is none. */
    @FunctionalInterface
    interface DenseForm {
        ImageModel make() throws IOException;
    }

    private final String name;
    private final String architecture;
    private final EvalPreset preset;
    private final List<String> classNames;
    private final InputShape input;
    private final Engine engine;
    private final ImageModel model;
    private final OnFirstUse<ImageModel> dense;
    private final ComputationGraph graph;

    OpenedModel(String name, String architecture, EvalPreset preset, List<String> classNames, InputShape input,
                Engine engine, ImageModel model, DenseForm denseForm, ComputationGraph graph) {
        this.name = name;
        this.architecture = architecture;
        this.preset = preset;
        this.classNames = classNames == null ? null : List.copyOf(classNames);
        this.input = input;
        this.engine = engine;
        this.model = model;
        this.dense = new OnFirstUse<>(() -> {
            try {
                return denseForm.make();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        this.graph = graph;
    }

    /** The file's name. */
    public String name() {
        return name;
    }

    /** The registered architecture, or null when the file does not say. */
    public String architecture() {
        return architecture;
    }

    public EvalPreset preset() {
        return preset;
    }

    /** The model's own class names in output order, if it has them. */
    public Optional<List<String>> classNames() {
        return Optional.ofNullable(classNames);
    }

    /** The input size the model was built (or exported) for. */
    public InputShape input() {
        return input;
    }

    public Engine engine() {
        return engine;
    }

    public ImageModel model() {
        return model;
    }

    /** The DL4J graph behind the model (the one DL4J runs, or the one exported for ONNX Runtime); empty for ONNX. */
    public Optional<ComputationGraph> graph() {
        return Optional.ofNullable(graph);
    }

    /** The fully-convolutional form (the model itself for global-pooling heads), made once. */
    public ImageModel fullyConvolutional() {
        return dense.get();
    }

    /** The model as a member of an evaluation, under its file name. */
    public Member member() {
        return new Member(name, architecture, model, this::fullyConvolutional, preset);
    }

    @Override
    public void close() {
        if (dense.isMade() && dense.get() != model) {
            dense.get().close();
        }
        model.close();
    }
}
