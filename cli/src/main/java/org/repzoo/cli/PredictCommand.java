package org.repzoo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.repzoo.evaluation.ImageNetClasses;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.evaluation.image.ImageDecoder;
import org.repzoo.evaluation.image.Preprocessing;
import org.repzoo.zoo.checkpoint.Npy;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.Inference;
import org.repzoo.zoo.core.ModelFiles;
import org.repzoo.zoo.weights.Provenance;
import org.repzoo.zoo.weights.Tensors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Run a model zip in inference mode (BatchNorm running statistics, no dropout, main head only).",
                "--input X.npy --output Y.npy: X is float32 NCHW, already preprocessed; Y is the logits [N, classes].",
                "--image FILE...: applies the model's evaluation preset (resize, centre crop, normalise) and prints the "
                        + "top classes with probabilities."})
final class PredictCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL.zip", description = "A model zip (from 'repzoo import' or DL4J).")
    private Path model;

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
        for (Path in : List.of(model, source.input)) {
            if (Files.exists(output) && Files.exists(in) && Files.isSameFile(output, in)) {
                throw new IllegalArgumentException("--output " + output + " is an input: RepZoo never overwrites an input");
            }
        }
        INDArray input = Tensors.toFloatArray(Npy.read(source.input), source.input.getFileName().toString());
        ComputationGraph graph = ModelFiles.load(model);
        INDArray logits = run(graph, input);
        Npy.write(output, Tensors.fromArray(logits));
        spec.commandLine().getErr().printf("wrote logits %s to %s%n", java.util.Arrays.toString(logits.shape()), output);
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
        EvalPreset preset = preset();
        int crop = preset.cropSize();
        INDArray input = Nd4j.createUninitialized(org.nd4j.linalg.api.buffer.DataType.FLOAT, source.images.size(),
                preset.channels(), crop, crop);
        for (int i = 0; i < source.images.size(); i++) {
            float[] chw = Preprocessing.apply(ImageDecoder.read(source.images.get(i)), preset);
            input.slice(i).assign(Nd4j.create(chw, new long[] {preset.channels(), crop, crop}, 'c'));
        }
        ComputationGraph graph = ModelFiles.load(model);
        INDArray probabilities = Transforms.softmax(run(graph, input), true);
        long classes = probabilities.size(1);
        List<String> names = Provenance.of(model).map(Provenance::classNames)
                .filter(known -> known.size() == classes).orElse(null);
        List<Map<String, Object>> results = new ArrayList<>();
        for (int i = 0; i < source.images.size(); i++) {
            INDArray row = probabilities.getRow(i);
            List<Map<String, Object>> ranked = new ArrayList<>();
            for (long c : topIndices(row, (int) Math.min(top, classes))) {
                Map<String, Object> hit = new LinkedHashMap<>();
                hit.put("class", c);
                hit.put("name", names != null ? names.get((int) c)
                        : classes == ImageNetClasses.COUNT ? ImageNetClasses.name((int) c) : "class " + c);
                hit.put("probability", row.getDouble(c));
                ranked.add(hit);
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("image", source.images.get(i).toString());
            result.put("top", ranked);
            results.add(result);
        }
        print(results);
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

    private INDArray run(ComputationGraph graph, INDArray input) {
        try (ProgressBar bar = ProgressBars.items("predict", "img", input.size(0))) {
            return Inference.logits(graph, input, batch, done -> bar.stepTo(done));
        }
    }

    /** The model's evaluation preset (its provenance's, or its architecture's); torchvision's when it has none. */
    private EvalPreset preset() throws Exception {
        return Member.presetOf(model, note -> spec.commandLine().getErr().println("repzoo: " + note));
    }

    private static long[] topIndices(INDArray row, int k) {
        double[] values = row.toDoubleVector();
        return java.util.stream.IntStream.range(0, values.length).boxed()
                .sorted((a, b) -> Double.compare(values[b], values[a]))
                .limit(k).mapToLong(Integer::longValue).toArray();
    }
}
