package org.repzoo.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.deploy.InferenceModels;
import org.repzoo.deploy.OnnxModelWriter;
import org.repzoo.deploy.OpenedModel;
import org.repzoo.deploy.onnx.OnnxExport;
import org.repzoo.evaluation.image.ImageDecoder;
import org.repzoo.evaluation.image.Preprocessing;
import org.repzoo.reparam.Conversion;
import org.repzoo.weights.CheckpointExport;
import org.repzoo.weights.CheckpointImport;
import org.repzoo.zoo.Zoo;

/**
 * A trained RepVGG from PyTorch to a deployable file: import its checkpoint (the official repository's key names, or
 * timm's), convert the train form into the plain deploy form, write it as ONNX, and classify an image on both
 * engines. Here the "trained" checkpoint is a freshly initialised RepVGG-A0 written as safetensors, standing in for a
 * downloaded {@code RepVGG-A0-train.pth}.
 */
public final class DeployRepVgg {

    /** The top-1 class of the image on DL4J (deploy form) and on ONNX Runtime (the ONNX file), and the files. */
    public record Deployed(Path deployZip, Path onnx, int dl4jClass, int onnxRuntimeClass, float maxLogitGap) {
    }

    private DeployRepVgg() {
    }

    public static Deployed run(Path folder, Path image) throws IOException {
        Path checkpoint = folder.resolve("RepVGG-A0-train.safetensors");
        ComputationGraph standIn = Zoo.registry().get("repvgg_a0").init();
        CheckpointExport.write(CheckpointExport.stateDict(standIn, Map.of()), checkpoint);

        // 1. import: the checkpoint's keys are checked against the architecture, and the form is detected
        Path trainZip = folder.resolve("repvgg_a0.zip");
        CheckpointImport.run(Zoo.registry().get("repvgg_a0"), checkpoint, CheckpointImport.Options.strict(),
                CheckpointImport.Progress.NONE).save(trainZip);
        // 2. re-parameterise: every block becomes one 3x3 convolution + ReLU, same outputs
        Path deployZip = folder.resolve("repvgg_a0_deploy.zip");
        Conversion.Report report = Conversion.run(trainZip, deployZip, false).report();
        System.out.printf("converted %d blocks, max |logit difference| %.2g%n", report.blocks(),
                report.maxAbsDifference());
        // 3. ONNX: the file carries the preprocessing (preset) and the class names in its metadata
        Path onnx = folder.resolve("repvgg_a0_deploy.onnx");
        OnnxModelWriter.fromZip(deployZip, onnx, OnnxExport.DEFAULT_OPSET, false, null);

        // 4. classify: the model's own preset prepares the image on both engines
        try (OpenedModel dl4j = InferenceModels.open(deployZip, InferenceModels.Options.defaults(), System.out::println);
             OpenedModel ort = InferenceModels.open(onnx, InferenceModels.Options.defaults(), System.out::println)) {
            float[] pixels = Preprocessing.apply(ImageDecoder.read(image), dl4j.preset());
            var shape = dl4j.input();
            float[] a = dl4j.model().logits(pixels, 1, shape.channels(), shape.height(), shape.width());
            float[] b = ort.model().logits(pixels, 1, shape.channels(), shape.height(), shape.width());
            float gap = 0;
            for (int i = 0; i < a.length; i++) {
                gap = Math.max(gap, Math.abs(a[i] - b[i]));
            }
            return new Deployed(deployZip, onnx, argmax(a), argmax(b), gap);
        }
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    public static void main(String[] args) throws IOException {
        Deployed deployed = run(Path.of(args[0]), Path.of(args[1]));
        System.out.printf("wrote %s and %s; class %d on DL4J, %d on ONNX Runtime (max |logit gap| %.2g)%n",
                deployed.deployZip(), deployed.onnx(), deployed.dl4jClass(), deployed.onnxRuntimeClass(),
                deployed.maxLogitGap());
    }
}
