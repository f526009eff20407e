package org.repzoo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.deploy.OpenedModel;
import org.repzoo.evaluation.ImageNetClasses;
import org.repzoo.evaluation.image.ImageDecoder;
import org.repzoo.evaluation.image.Preprocessing;
import org.repzoo.evaluation.metrics.Ranking;
import org.repzoo.evaluation.metrics.Softmax;
import org.repzoo.weights.Tensors;
import org.repzoo.weights.format.Npy;
import org.repzoo.zoo.core.EvalPreset;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Run a model zip or ONNX file in inference mode (BatchNorm running statistics, no dropout, main "
                + "head only), on DL4J or ONNX Runtime.",
                "--input X.npy --output Y.npy: X is float32 NCHW, already preprocessed; Y is the logits [N, classes].",
                "--image FILE...: applies the model's evaluation preset (resize, centre crop, normalise) and prints the "
                        + "top classes with probabilities."})
final class PredictCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL.zip|MODEL.onnx",
            description = "A model zip (from 'repzoo import' or DL4J) or an ONNX file (from 'repzoo export').")
    private Path model;

    @Mixin
    private EngineOptions engine;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Source source;

    static final class Source {
        @Option(names = "--input", paramLabel = "X.npy", description = "Preprocessed float32 NCHW images.")
        Path input;

        @Option(names = "--image", arity = "1..*", paramLabel = "FILE", description = "Image files (JPEG, PNG, BMP, GIF).")
        List<Path> images;
    }

    @Option(names = "--output", paramLabel = "Y.npy", description = "Where --input's logits go (required with --input).")
    private Path output;

    @Option(names = "--batch", paramLabel = "N", description = "Images per forward pass (default: 16).")
    private int batch = 16;

    @Option(names = "--top", paramLabel = "K", description = "Classes shown per image with --image (default: 5).")
    private int top = 5;

    @Option(names = "--json", description = "With --image: print JSON instead of a table.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        if (source.input != null) {
            return predictArrays();
        }
        return predictImages();
    }

    private int predictArrays() throws Exception {
        if (output == null) {
            throw new IllegalArgumentException("--input needs --output Y.npy");
        }
        Outputs.refuseInput(output, model, source.input);
        INDArray input = Tensors.toFloatArray(Npy.read(source.input), source.input.getFileName().toString());
        if (input.rank() != 4) {
            throw new IllegalArgumentException(source.input + ": images must be NCHW (rank 4), got shape "
                    + java.util.Arrays.toString(input.shape()));
        }
        float[] logits;
        int images = (int) input.size(0);
        try (OpenedModel opened = engine.open(model, this::note)) {
            logits = run(opened, input.dup('c').data().asFloat(), images, (int) input.size(1), (int) input.size(2),
                    (int) input.size(3));
        }
        long[] shape = {images, logits.length / images};
        Npy.write(output, Tensors.fromArray(Nd4j.create(logits, shape, 'c')));
        spec.commandLine().getErr().printf("wrote logits %s to %s%n", java.util.Arrays.toString(shape), output);
        spec.commandLine().getErr().flush();
        return 0;
    }

    private int predictImages() throws Exception {
        if (output != null) {
            throw new IllegalArgumentException("--output goes with --input; --image prints its results");
        }
        if (top < 1) {
            throw new IllegalArgumentException("--top must be at least 1, got " + top);
        }
        try (OpenedModel opened = engine.open(model, this::note)) {
            EvalPreset preset = opened.preset();
            int crop = preset.cropSize();
            int size = preset.channels() * crop * crop;
            float[] pixels = new float[source.images.size() * size];
            for (int i = 0; i < source.images.size(); i++) {
                float[] chw = Preprocessing.apply(ImageDecoder.read(source.images.get(i)), preset);
                System.arraycopy(chw, 0, pixels, i * size, size);
            }
            float[] logits = run(opened, pixels, source.images.size(), preset.channels(), crop, crop);
            int classes = logits.length / source.images.size();
            List<String> names = opened.classNames().filter(known -> known.size() == classes).orElse(null);
            List<Map<String, Object>> results = new ArrayList<>();
            for (int i = 0; i < source.images.size(); i++) {
                double[] probabilities = Softmax.of(logits, i * classes, classes);
                List<Map<String, Object>> ranked = new ArrayList<>();
                for (int c : Ranking.top(probabilities, top)) {
                    Map<String, Object> hit = new LinkedHashMap<>();
                    hit.put("class", c);
                    hit.put("name", names != null ? names.get(c)
                            : classes == ImageNetClasses.COUNT ? ImageNetClasses.name(c) : "class " + c);
                    hit.put("probability", probabilities[c]);
                    ranked.add(hit);
                }
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("image", source.images.get(i).toString());
                result.put("top", ranked);
                results.add(result);
            }
            print(results);
        }
        return 0;
    }

    private void print(List<Map<String, Object>> results) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(results));
        } else {
            for (Map<String, Object> result : results) {
                out.println(result.get("image"));
                Table table = new Table("rank", "class", "name", "probability").rightAlign(0, 1, 3);
                int rank = 1;
                for (Object o : (List<?>) result.get("top")) {
                    Map<?, ?> hit = (Map<?, ?>) o;
                    table.row(Integer.toString(rank++), hit.get("class").toString(), hit.get("name").toString(),
                            String.format("%.4f", (Double) hit.get("probability")));
                }
                table.print(out);
                out.println();
            }
        }
        out.flush();
    }

    /** The logits of {@code images} images, {@code --batch} at a time, with a progress bar. */
    private float[] run(OpenedModel opened, float[] pixels, int images, int channels, int height, int width) {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        int size = channels * height * width;
        float[] logits = null;
        try (ProgressBar bar = ProgressBars.items("predict", "img", images)) {
            for (int start = 0; start < images; start += batch) {
                int count = Math.min(batch, images - start);
                float[] out = opened.model().logits(java.util.Arrays.copyOfRange(pixels, start * size,
                        (start + count) * size), count, channels, height, width);
                int classes = out.length / count;
                if (logits == null) {
                    logits = new float[images * classes];
                }
                System.arraycopy(out, 0, logits, start * classes, out.length);
                bar.stepTo(start + count);
            }
        }
        return logits;
    }

    private void note(String text) {
        spec.commandLine().getErr().println("repzoo: " + text);
        spec.commandLine().getErr().flush();
    }
}
