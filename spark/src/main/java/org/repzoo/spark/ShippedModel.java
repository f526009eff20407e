package org.repzoo.spark;

import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;
import org.repzoo.deploy.Engine;
import org.repzoo.deploy.InferenceModels;

/**
 * One model of the evaluation as executors see it: the file's bytes (a model zip or an ONNX file), broadcast once to
 * every executor (no shared file system needed), the preset the driver settled on (the command line may override the
 * file's), and the engine to run it on.
 *
 * @param fileName the file's name (the report's name for the model)
 * @param zip      the file's bytes
 * @param preset   its evaluation preset
 * @param engine   the engine (null: by the file's kind), its threads, whether DL4J folds batch norm and whether
 *                 the run gives the classifier one image size
 */
record ShippedModel(String fileName, Broadcast<byte[]> zip, ShippedPreset preset, Engine engine, int threads,
                    boolean foldBatchNorm, boolean oneSize) implements Serializable {

    InferenceModels.Options options() {
        return new InferenceModels.Options(engine, threads, foldBatchNorm, oneSize);
    }
}
