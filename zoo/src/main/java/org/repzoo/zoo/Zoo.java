package org.repzoo.zoo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import java.nio.file.Path;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelRegistry;
import org.repzoo.zoo.core.ModelFiles;
import org.repzoo.zoo.inception.InceptionModels;
import org.repzoo.zoo.inception.InceptionV4Models;
import org.repzoo.zoo.nin.NinModels;
import org.repzoo.zoo.repvgg.RepVggModels;
import org.repzoo.zoo.resnet.ResNetModels;
import org.repzoo.zoo.vgg.VggModels;
import org.repzoo.zoo.xception.XceptionModels;

/**
 * RepZoo's entry point as a library: the registry of every model, and loading of saved graphs with oneDNN on.
 *
 * <pre>{@code
 * ComputationGraph net = Zoo.registry().get("resnet50").init(ModelOptions.defaults().withClasses(10));
 * }</pre>
 */
public final class Zoo {

    private static final class Holder {
        static final ModelRegistry REGISTRY = build();

        private static ModelRegistry build() {
            List<ModelEntry> all = new ArrayList<>();
            all.addAll(VggModels.entries());
            all.addAll(NinModels.entries());
            all.addAll(ResNetModels.entries());
            all.addAll(RepVggModels.entries());
            all.addAll(InceptionModels.entries());
            all.addAll(InceptionV4Models.entries());
            all.addAll(XceptionModels.entries());
            return new ModelRegistry(all);
        }
    }

    private Zoo() {
    }

    public static ModelRegistry registry() {
        return Holder.REGISTRY;
    }

    /** Loads a model zip (RepZoo's or ModelSerializer's), with oneDNN helpers on (they must be set before loading). */
    public static ComputationGraph load(Path file) throws IOException {
        return ModelFiles.load(file);
    }

    /** Saves a model zip that DL4J's ModelSerializer can read too, atomically. */
    public static void save(ComputationGraph graph, Path file) throws IOException {
        ModelFiles.save(graph, file, java.util.Map.of());
    }
}
