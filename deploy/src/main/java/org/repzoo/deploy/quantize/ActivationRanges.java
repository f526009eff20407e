package org.repzoo.deploy.quantize;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import org.repzoo.deploy.onnx.OnnxFiles;
import org.repzoo.deploy.onnx.proto.Onnx.GraphProto;
import org.repzoo.deploy.onnx.proto.Onnx.ModelProto;
import org.repzoo.deploy.onnx.proto.Onnx.TensorProto;
import org.repzoo.deploy.onnx.proto.Onnx.TypeProto;
import org.repzoo.deploy.onnx.proto.Onnx.ValueInfoProto;

/**
 * What the calibration images produce in the tensors to be quantized: the float model runs on ONNX Runtime with those
 * tensors as extra outputs, a batch at a time, and each tensor's minimum, maximum and (for the histogram methods, in a
 * second pass) histogram of magnitudes is kept, never the tensors themselves.
 */
final class ActivationRanges {

    /** One tensor's statistics. */
    static final class Range {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        long[] histogram;

        double maxAbs() {
            return Math.max(Math.abs(min), Math.abs(max));
        }
    }

    /** A source of calibration batches: images {@code from .. to-1}, as float NCHW. */
    @FunctionalInterface
    interface Batches {
        float[] batch(int from, int to) throws IOException;
    }

    private ActivationRanges() {
    }

    /**
     * Runs {@code model} on {@code images} images (in batches of {@code batchSize}, {@code shape} CxHxW each) and
     * returns the statistics of {@code tensors}; {@code progress} is told the images done (twice over when the
     * histogram pass runs).
     */
    static Map<String, Range> collect(ModelProto model, Set<String> tensors, Batches batches, int images,
                                      int batchSize, long[] shape, Calibration calibration, int threads,
                                      IntConsumer progress) throws IOException {
        Map<String, Range> ranges = new LinkedHashMap<>();
        tensors.forEach(name -> ranges.put(name, new Range()));
        Path folder = Files.createTempDirectory("repzoo-calibration");
        Path file = folder.resolve("calibration.onnx");
        try {
            OnnxFiles.write(file, withOutputs(model, tensors));
            OrtEnvironment environment = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT);
                options.setIntraOpNumThreads(threads);
                try (OrtSession session = environment.createSession(file.toString(), options)) {
                    Files.delete(file);
                    String input = session.getInputNames().iterator().next();
                    pass(session, environment, input, ranges, batches, images, batchSize, shape, false, progress);
                    if (calibration.needsHistogram()) {
                        ranges.values().forEach(r -> r.histogram = new long[Calibration.BINS]);
                        pass(session, environment, input, ranges, batches, images, batchSize, shape, true, progress);
                    }
                }
            } catch (OrtException e) {
                throw new IOException("ONNX Runtime failed while calibrating (" + e.getMessage() + ")", e);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(folder);
        }
        return ranges;
    }

    private static void pass(OrtSession session, OrtEnvironment environment, String input, Map<String, Range> ranges,
                             Batches batches, int images, int batchSize, long[] shape, boolean histogram,
                             IntConsumer progress) throws IOException, OrtException {
        for (int from = 0; from < images; from += batchSize) {
            int to = Math.min(images, from + batchSize);
            float[] pixels = batches.batch(from, to);
            long[] dims = {to - from, shape[0], shape[1], shape[2]};
            try (OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(pixels), dims);
                 OrtSession.Result result = session.run(Map.of(input, tensor), ranges.keySet())) {
                for (Map.Entry<String, OnnxValue> output : result) {
                    Range range = ranges.get(output.getKey());
                    FloatBuffer values = ((OnnxTensor) output.getValue()).getFloatBuffer();
                    if (histogram) {
                        add(range, values);
                    } else {
                        extremes(range, values);
                    }
                }
            }
            progress.accept(to - from);
        }
    }

    private static void extremes(Range range, FloatBuffer values) {
        double min = range.min;
        double max = range.max;
        while (values.hasRemaining()) {
            float v = values.get();
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        range.min = min;
        range.max = max;
    }

    private static void add(Range range, FloatBuffer values) {
        double maxAbs = range.maxAbs();
        if (maxAbs == 0) {
            return;
        }
        double perBin = range.histogram.length / maxAbs;
        int last = range.histogram.length - 1;
        while (values.hasRemaining()) {
            int bin = (int) (Math.abs(values.get()) * perBin);
            range.histogram[Math.min(bin, last)]++;
        }
    }

    /** The model with {@code tensors} as further float outputs (their shapes left for ONNX Runtime to infer). */
    static ModelProto withOutputs(ModelProto model, Set<String> tensors) {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        Set<String> existing = new LinkedHashSet<>();
        graph.getOutputList().forEach(o -> existing.add(o.getName()));
        for (String tensor : tensors) {
            if (!existing.contains(tensor)) {
                graph.addOutput(ValueInfoProto.newBuilder().setName(tensor).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT
                                .getNumber()))));
            }
        }
        return model.toBuilder().setGraph(graph).build();
    }
}
