package org.repzoo.deploy.ort;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.repzoo.evaluation.model.ImageModel;
import org.repzoo.zoo.core.ModelFileException;

/**
 * An ONNX model on ONNX Runtime's Java API as an {@link ImageModel}: one session, all graph optimisations on, {@code
 * threads} intra-op threads and sequential execution (the settings a Java service running a CNN on the CPU would
 * choose). A session is safe to run from several threads, so the evaluation pipeline and Spark tasks share one.
 *
 * <p>The model must be an image classifier: one float input of rank 4 (NCHW, batch and possibly height and width
 * dynamic) and a first output of rank 2 ([batch, classes]); anything else is refused when it is opened.
 */
public final class OrtModel implements ImageModel {

    private final Path file;
    private final String name;
    private final OrtSession session;
    private final String inputName;
    private final long[] inputShape;
    private final Map<String, String> metadata;

    private OrtModel(Path file, String name, OrtSession session) throws OrtException, ModelFileException {
        this.file = file;
        this.name = name;
        this.session = session;
        if (session.getInputInfo().size() != 1) {
            throw new ModelFileException(file, "has " + session.getInputInfo().size() + " inputs " + session
                    .getInputNames() + "; an image classifier has one (float NCHW)");
        }
        NodeInfo input = session.getInputInfo().values().iterator().next();
        this.inputName = input.getName();
        if (!(input.getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.FLOAT
                || tensor.getShape().length != 4) {
            throw new ModelFileException(file, "takes " + input.getInfo() + " as its input '" + inputName
                    + "'; an image classifier takes a float tensor of rank 4 (NCHW)");
        }
        this.inputShape = tensor.getShape();
        NodeInfo output = session.getOutputInfo().values().iterator().next();
        if (!(output.getInfo() instanceof TensorInfo out) || out.type != OnnxJavaType.FLOAT
                || out.getShape().length != 2) {
            throw new ModelFileException(file, "returns " + output.getInfo() + " as its first output '"
                    + output.getName() + "'; an image classifier returns float logits [batch, classes]");
        }
        this.metadata = session.getMetadata().getCustomMetadata();
    }

    /** Opens {@code file} with {@code threads} intra-op threads (0: ONNX Runtime's choice, one per core). */
    public static OrtModel open(Path file, int threads) throws ModelFileException {
        return open(file, threads, file.getFileName().toString());
    }

    /**
     * The same, naming the model {@code name} in messages (a model exported to a temporary file for the run is named
     * after the file it came from). ONNX Runtime has read the file when this returns: it may then be deleted.
     */
    public static OrtModel open(Path file, int threads, String name) throws ModelFileException {
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException(file, "no such file");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must not be negative, got " + threads);
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            OrtSession session = environment.createSession(file.toString(), options);
            try {
                return new OrtModel(file, name, session);
            } catch (ModelFileException | OrtException | RuntimeException e) {
                session.close();
                throw e;
            }
        } catch (OrtException e) {
            throw new ModelFileException(file, "ONNX Runtime cannot load it as a model (" + firstLine(e) + ")", e);
        }
    }

    /** The file's metadata properties (RepZoo's provenance among them, when RepZoo wrote it). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The input's declared shape; -1 where a dimension is dynamic. */
    public long[] inputShape() {
        return inputShape.clone();
    }

    public Path file() {
        return file;
    }

    @Override
    public float[] logits(float[] pixels, int images, int channels, int height, int width) {
        long[] shape = {images, channels, height, width};
        for (int d = 1; d < 4; d++) {
            if (inputShape[d] > 0 && inputShape[d] != shape[d]) {
                throw new IllegalArgumentException(name + " takes " + describe(inputShape) + " images, got "
                        + channels + "x" + height + "x" + width);
            }
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(pixels), shape);
             OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            OnnxTensor logits = (OnnxTensor) result.get(0);
            long[] outShape = logits.getInfo().getShape();
            if (outShape.length != 2 || outShape[0] != images) {
                throw new IllegalArgumentException(name + " returned shape " + Arrays.toString(outShape)
                        + " for " + images + " images; a classifier returns [images, classes]");
            }
            FloatBuffer values = logits.getFloatBuffer();
            float[] out = new float[values.remaining()];
            values.get(out);
            return out;
        } catch (OrtException e) {
            throw new IllegalArgumentException(name + " cannot run images of " + channels + "x" + height
                    + "x" + width + " (" + firstLine(e) + ")", e);
        }
    }

    @Override
    public boolean threadSafe() {
        return true;
    }

    @Override
    public String engine() {
        return "ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion();
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the ONNX Runtime session of " + name + " failed", e);
        }
    }

    /** "3xHxW"-style text of an NCHW shape, with "?" for dynamic dimensions. */
    static String describe(long[] nchw) {
        StringBuilder text = new StringBuilder();
        for (int d = 1; d < nchw.length; d++) {
            text.append(d > 1 ? "x" : "").append(nchw[d] > 0 ? Long.toString(nchw[d]) : "?");
        }
        return text.toString();
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
