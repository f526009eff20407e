package org.repzoo.evaluation.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.reparam.FullyConvolutional;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.ModelFiles;
import org.repzoo.zoo.weights.Provenance;

/**
 * One model of an evaluation (an ensemble has several): its graph, the evaluation preset of its architecture, and,
 * when a protocol needs it, its fully-convolutional form (built once, on first use).
 */
public final class Member {

    private final String name;
    private final String architecture;
    private final ComputationGraph classifier;
    private final EvalPreset preset;
    private final int classes;
    private ComputationGraph fullyConvolutional;

    /**
     * @param name         how the report names the model (its file name)
     * @param architecture the registered architecture, or null when unknown
     */
    public Member(String name, String architecture, ComputationGraph classifier, EvalPreset preset) {
        this(name, architecture, classifier, preset, classes(classifier, preset));
    }

    private Member(String name, String architecture, ComputationGraph classifier, EvalPreset preset, int classes) {
        this.name = name;
        this.architecture = architecture;
        this.classifier = classifier;
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
        String architecture = provenance.map(Provenance::architecture).orElse(null);
        if (architecture != null && Zoo.registry().contains(architecture)) {
            return Zoo.registry().get(architecture).preset();
        }
        note.accept(zip.getFileName() + " records no RepZoo architecture; using torchvision's ImageNet "
                + "preprocessing (resize 256, crop 224, ImageNet mean/std)");
        return EvalPreset.TORCHVISION_IMAGENET;
    }

    /** The same model with another preset (e.g. another interpolation). */
    public Member withPreset(EvalPreset newPreset) {
        return newPreset.equals(preset) ? this : new Member(name, architecture, classifier, newPreset, classes);
    }

    /** Number of classes, found by running one blank image of the crop size (this also checks the size runs). */
    private static int classes(ComputationGraph graph, EvalPreset preset) {
        INDArray blank = Nd4j.zeros(DataType.FLOAT, 1, preset.channels(), preset.cropSize(), preset.cropSize());
        INDArray out = graph.output(false, blank)[0];
        if (out.rank() != 2) {
            throw new IllegalArgumentException("the model outputs shape " + java.util.Arrays.toString(out.shape())
                    + " for one image; a classifier outputs [N, classes]");
        }
        return (int) out.size(1);
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

    ComputationGraph classifier() {
        return classifier;
    }

    /** The fully-convolutional form (the classifier itself for global-pooling heads). */
    synchronized ComputationGraph fullyConvolutional() {
        if (fullyConvolutional == null) {
            fullyConvolutional = FullyConvolutional.of(classifier);
        }
        return fullyConvolutional;
    }
}
