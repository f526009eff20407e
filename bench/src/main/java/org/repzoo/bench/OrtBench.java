package org.repzoo.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.repzoo.training.bench.MemoryPeaks;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.TimingStats;

/**
 * ONNX Runtime's Java API ({@code com.microsoft.onnxruntime:onnxruntime}) on a model exported from PyTorch, timed as
 * {@code repzoo bench} times DL4J: random input at a fixed batch, warm-up runs, then timed runs; median, min and max.
 * The session has every graph optimisation on, {@code intra_op} threads as asked, one inter-op thread (sequential
 * execution): the settings a Java user deploying a CNN on the CPU would choose.
 *
 * <pre>
 * java -cp bench/target/classes:$(cat bench/target/classpath.txt) org.repzoo.bench.OrtBench MODEL.onnx \
 *     [--name NAME] [--batch 16] [--input 3x224x224] [--threads 2] [--warmup 2] [--iterations 10] [--max-seconds 0]
 *     [--json OUT.json]
 * </pre>
 */
public final class OrtBench {

    private OrtBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(Map.of("--batch", "16", "--input", "3x224x224", "--threads", "2",
                "--warmup", "2", "--iterations", "10", "--max-seconds", "0"));
        Path model = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                if (i + 1 >= args.length) {
                    fail(args[i] + " needs a value");
                }
                options.put(args[i], args[++i]);
            } else {
                model = Path.of(args[i]);
            }
        }
        if (model == null || !Files.isRegularFile(model)) {
            fail("give an existing MODEL.onnx, got " + model);
        }
        try {
            Map<String, Object> report = run(model, options);
            String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
            if (options.containsKey("--json")) {
                Path target = Path.of(options.get("--json"));
                Path temp = target.resolveSibling(target.getFileName() + ".tmp");
                Files.writeString(temp, text + System.lineSeparator());
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            System.out.println(text);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
        }
    }

    private static Map<String, Object> run(Path model, Map<String, String> options) throws Exception {
        int batch = positive(options, "--batch");
        int threads = positive(options, "--threads");
        int warmup = Integer.parseInt(options.get("--warmup"));
        int iterations = positive(options, "--iterations");
        double maxSeconds = Double.parseDouble(options.get("--max-seconds"));
        InputShape input = InputShape.parse(options.get("--input"));

        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions settings = new OrtSession.SessionOptions()) {
            settings.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            settings.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            settings.setIntraOpNumThreads(threads);
            settings.setInterOpNumThreads(1);
            try (OrtSession session = environment.createSession(model.toString(), settings)) {
                float[] pixels = new float[Math.toIntExact(batch * input.size())];
                Random random = new Random(0);
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = random.nextFloat() - 0.5f;
                }
                long[] shape = {batch, input.channels(), input.height(), input.width()};
                String inputName = session.getInputNames().iterator().next();
                try (OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(pixels), shape)) {
                    Map<String, OnnxTensor> feed = Map.of(inputName, tensor);
                    MemoryPeaks peaks = new MemoryPeaks();
                    peaks.reset();
                    for (int i = 0; i < warmup; i++) {
                        session.run(feed).close();
                    }
                    double[] seconds = new double[iterations];
                    int timed = 0;
                    double spent = 0;
                    while (timed < iterations) {
                        long start = System.nanoTime();
                        session.run(feed).close();
                        seconds[timed] = (System.nanoTime() - start) / 1e9;
                        spent += seconds[timed++];
                        if (maxSeconds > 0 && spent >= maxSeconds && timed >= 3) {
                            break;
                        }
                    }
                    TimingStats stats = TimingStats.of(Arrays.copyOf(seconds, timed));
                    Map<String, Object> report = new LinkedHashMap<>();
                    report.put("engine", "ONNX Runtime " + environment.getVersion() + " (Java)");
                    report.put("model", options.getOrDefault("--name", model.getFileName().toString()));
                    report.put("input", input.toString());
                    report.put("mode", "infer");
                    report.put("batch", batch);
                    report.put("threads", threads);
                    report.put("timed_iterations", timed);
                    report.put("images_per_second",
                            TimingStats.figures(batch / stats.median(), batch / stats.max(), batch / stats.min()));
                    report.put("seconds_per_batch", TimingStats.figures(stats.median(), stats.min(), stats.max()));
                    report.put("peak_resident_bytes", MemoryPeaks.residentPeakBytes());
                    return report;
                }
            }
        }
    }

    private static int positive(Map<String, String> options, String key) {
        try {
            int value = Integer.parseInt(options.get(key));
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("bad " + key + " '" + options.get(key) + "': expected a positive integer");
    }

    private static void fail(String message) {
        System.err.println("ortbench: " + message);
        System.exit(2);
    }

}
