package org.repzoo.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.repzoo.compat.Threads;
import org.repzoo.deploy.Engine;
import org.repzoo.deploy.InferenceModels;
import org.repzoo.deploy.OpenedModel;
import picocli.CommandLine.Option;

/** The options of every command that runs a model for inference: which engine, how many threads, BN folding. */
final class EngineOptions {

    @Option(names = "--engine", paramLabel = "dl4j|onnxruntime", description = "Inference engine (default: dl4j for a "
            + "model zip, onnxruntime for an ONNX file; a zip on onnxruntime is exported to ONNX first).")
    String engine;

    @Option(names = "--threads", paramLabel = "N", description = "The engine's threads (default: one per core).")
    Integer threads;

    @Option(names = "--no-fold", description = "DL4J: run the graph as loaded (by default every conv + BatchNorm pair "
            + "is folded into the convolution first, which gives the same logits faster).")
    boolean noFold;

    /** The options as the deploy module takes them; DL4J's threads are set for the whole process here. */
    InferenceModels.Options options() {
        Engine chosen = engine == null ? null : Engine.parse(engine);
        if (threads != null && threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        if (threads != null && chosen != Engine.ONNXRUNTIME) {
            Threads.set(threads); // ND4J's threads: the DL4J engine, and the DL4J side of anything else
        }
        return InferenceModels.Options.defaults().withEngine(chosen).withThreads(threads == null ? 0 : threads)
                .withFolding(!noFold);
    }

    OpenedModel open(Path model, Consumer<String> note) throws IOException {
        return InferenceModels.open(model, options(), note);
    }
}
