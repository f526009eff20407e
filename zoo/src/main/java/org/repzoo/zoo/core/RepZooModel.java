package org.repzoo.zoo.core;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.ModelMetaData;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.ZooType;

/**
 * A registered model behind DL4J's own {@link ZooModel} API, so code written against DL4J's zoo works unchanged.
 * RepZoo downloads nothing: pretrained weights come from checkpoints the user already has (see {@code repzoo
 * import}), so {@link #pretrainedUrl} is always {@code null}.
 */
public final class RepZooModel extends ZooModel<ComputationGraph> {

    private final ModelEntry entry;
    private ModelOptions options;

    RepZooModel(ModelEntry entry, ModelOptions options) {
        this.entry = entry;
        this.options = options.input() == null ? options.withInput(entry.defaultInput()) : options;
    }

    @Override
    @SuppressWarnings("unchecked")
    public ComputationGraph init() {
        return entry.init(options);
    }

    @Override
    @Deprecated
    public ModelMetaData metaData() {
        InputShape input = options.input();
        return new ModelMetaData(new int[][] {{input.channels(), input.height(), input.width()}}, 1, ZooType.CNN);
    }

    /** Takes {@code {{channels, height, width}}}, as DL4J's zoo models do. */
    @Override
    public void setInputShape(int[][] inputShape) {
        if (inputShape == null || inputShape.length != 1 || inputShape[0].length != 3) {
            throw new IllegalArgumentException("expected one input shape {channels, height, width}");
        }
        options = options.withInput(InputShape.of(inputShape[0][0], inputShape[0][1], inputShape[0][2]));
    }

    @Override
    public Class<? extends Model> modelType() {
        return ComputationGraph.class;
    }

    @Override
    public String pretrainedUrl(PretrainedType pretrainedType) {
        return null;
    }

    @Override
    public long pretrainedChecksum(PretrainedType pretrainedType) {
        return 0L;
    }

    @Override
    public String modelName() {
        return entry.name();
    }
}
