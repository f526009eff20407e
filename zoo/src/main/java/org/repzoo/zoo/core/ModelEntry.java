package org.repzoo.zoo.core;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * One registered model: its name, family, how to build it, the reference facts it is checked against, its default
 * input and its evaluation preset.
 */
public record ModelEntry(String name, Family family, Architecture architecture, Reference reference,
                         InputShape defaultInput, EvalPreset preset, String description) {

    /** The configuration with the given options (no weights are allocated). */
    public ComputationGraphConfiguration configure(ModelOptions options) {
        return architecture.configure(name, resolve(options));
    }

    public ComputationGraphConfiguration configure() {
        return configure(ModelOptions.defaults());
    }

    /** A ready graph with freshly initialised weights, running on oneDNN where available. */
    public ComputationGraph init(ModelOptions options) {
        return Graphs.build(architecture, name, resolve(options));
    }

    public ComputationGraph init() {
        return init(ModelOptions.defaults());
    }

    /** The options with this entry's default input filled in, refusing options the architecture does not have. */
    private ModelOptions resolve(ModelOptions options) {
        if (options.transformInput() && !architecture.supportsTransformInput()) {
            throw new IllegalArgumentException(name + " has no transform_input (only GoogLeNet and Inception v3 do)");
        }
        return options.input() == null ? options.withInput(defaultInput) : options;
    }

    /** This entry through DL4J's own {@code ZooModel} API. */
    public RepZooModel zooModel(ModelOptions options) {
        return new RepZooModel(this, options);
    }
}
