package org.repzoo.evaluation.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.evaluation.model.GraphModel;
import org.repzoo.evaluation.model.ImageModel;
import org.repzoo.evaluation.model.OnFirstUse;
import org.repzoo.reparam.FullyConvolutional;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.ModelFiles;
import org.repzoo.zoo.core.Provenance;

/**
 * One model of an evaluation (an ensemble has several): the model to run ({@link ImageModel}: a DL4J graph or an
 * ONNX Runtime session), the evaluation preset of its architecture, and, when a protocol needs it, its
 * fully-convolutional form (made once, on first use).
 */
public final class Member {

    private final String name;
    private final String architecture;
    private final ImageModel classifier;
    private final OnFirstUse<ImageModel> dense;
    private final EvalPreset preset;
    private final int classes;

    /**
     * A DL4J graph as a member.
     *
     * @param name         how the report names the model (its file name)
     * @param architecture the registered architecture, or null when unknown
     */
    public Member(String name, String architecture, ComputationGraph classifier, EvalPreset preset) {
        this(name, architecture, new GraphModel(classifier), () -> new GraphModel(FullyConvolutional.of(classifier)),
                preset);
    }

    /**
     * Any model as a member; {@code fullyConvolutional} makes its fully-convolutional form (called at most once, and
     * only if a protocol needs it).
     */
    public Member(String name, String architecture, ImageModel classifier, Supplier<ImageModel> fullyConvolutional,
                  EvalPreset preset) {
        this(name, architecture, classifier, new OnFirstUse<>(fullyConvolutional), preset,
                classes(classifier, preset));
    }

    private Member(String name, String architecture, ImageModel classifier, OnFirstUse<ImageModel> dense,
                   EvalPreset preset, int classes) {
        this.name = name;
        this.architecture = architecture;
        this.classifier = classifier;
        this.dense = dense;
        this.preset = preset;
        this.classes = classes;
    }

    /** A model zip, with the preset {@link #presetOf} finds for it. */
    public static Member load(Path zip, java.util.function.Consumer<String> note) throws IOException {
        String architecture = Provenance.of(zip).map(Provenance::architecture).orElse(null);
        return new Member(zip.getFileName().toString(), architecture, ModelFiles.load(zip), presetOf(zip, note));
    }

    /**
     * The preset a model zip's provenance records (a model RepZoo trained), else its registered architecture's;
     * torchvision's ImageNet preset when it names neither ({@code note} is told so).
     */
    public static EvalPreset presetOf(Path zip, java.util.function.Consumer<String> note) throws IOException {
        Optional<Provenance> provenance = Provenance.of(zip);
        if (provenance.isPresent() && provenance.get().preset() != null) {
            return provenance.get().preset();
        }
        Optional<EvalPreset> registered = provenance.map(Provenance::architecture).flatMap(Member::registeredPreset);
        if (registered.isPresent()) {
            return registered.get();
        }
        note.accept(zip.getFileName() + " records no RepZoo architecture; using torchvision's ImageNet "
                + "preprocessing (resize 256, crop 224, ImageNet mean/std)");
        return EvalPreset.TORCHVISION_IMAGENET;
    }

    /** The preset of a registered architecture; empty for null or an unregistered name. */
    public static Optional<EvalPreset> registeredPreset(String architecture) {
        return architecture != null && Zoo.registry().contains(architecture)
                ? Optional.of(Zoo.registry().get(architecture).preset()) : Optional.empty();
    }

    /** The same model with another preset (e.g. another interpolation). */
    public Member withPreset(EvalPreset newPreset) {
        return newPreset.equals(preset) ? this : new Member(name, architecture, classifier, dense, newPreset, classes);
    }

    /** Number of classes, found by running one blank image of the crop size (this also checks the size runs). */
    private static int classes(ImageModel model, EvalPreset preset) {
        int side = preset.cropSize();
        float[] logits = model.logits(new float[preset.channels() * side * side], 1, preset.channels(), side, side);
        return logits.length;
    }

    public String name() {
        return name;
    }

    /** The registered architecture, or null. */
    public String architecture() {
        return architecture;
    }

    public EvalPreset preset() {
        return preset;
    }

    public int classes() {
        return classes;
    }

    /** The model the classifier views run through. */
    public ImageModel model() {
        return classifier;
    }

    ImageModel classifier() {
        return classifier;
    }

    /** The fully-convolutional form (the classifier itself for global-pooling heads). */
    public ImageModel fullyConvolutional() {
        return dense.get();
    }
}
