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
 *
 * <p>Opened for one size ({@link Sizes#ONE}), a model whose height and width are dynamic is planned for the size of
 * its first images: the session is made again with those values given to ONNX Runtime
 * ({@code setSymbolicDimensionValue}), which then optimises every shape as for a model exported at that size
 * (ResNet-50: 25.1 img/s instead of 20.9 at batch 1, 25.9 instead of 24.7 at batch 16; docs/DEPLOYMENT.md). It then
 * takes that size only.
 */
public final class OrtModel implements ImageModel {

    /** Which input sizes a run gives the model. */
    public enum Sizes {
        /** Any size the model takes. */
        ANY,
        /** One size, that of the first images: the session is planned for it. */
        ONE
    }

    private final Path file;
    private final String name;
    private final int threads;
    private final Sizes sizes;
    private final Runnable release;
    private final String inputName;
    private final long[] inputShape;
    private final String[] inputDimensionNames;
    private final Map<String, String> metadata;
    private volatile OrtSession session;
    private volatile long[] plannedShape;

    private OrtModel(Path file, String name, int threads, Sizes sizes, Runnable release, OrtSession session)
            throws OrtException, ModelFileException {
        this.file = file;
        this.name = name;
        this.threads = threads;
        this.sizes = sizes;
        this.release = release;
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
        this.inputDimensionNames = tensor.getDimensionNames();
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
        return open(file, threads, name, Sizes.ANY, () -> { });
    }

    /**
     * The same, for a run that gives the model {@code sizes}. The file must stay until {@code release} runs: when the
     * session no longer needs it (it has been planned for one size, or the model is closed), or at once on failure.
     */
    public static OrtModel open(Path file, int threads, String name, Sizes sizes, Runnable release)
            throws ModelFileException {
        try {
            if (!Files.isRegularFile(file)) {
                throw new ModelFileException(file, "no such file");
            }
            if (threads < 0) {
                throw new IllegalArgumentException("threads must not be negative, got " + threads);
            }
            OrtSession session = session(file, threads, Map.of());
            try {
                OrtModel model = new OrtModel(file, name, threads, sizes, release, session);
                if (sizes == Sizes.ANY || model.fixedSize()) {
                    release.run();
                }
                return model;
            } catch (ModelFileException | OrtException | RuntimeException e) {
                session.close();
                throw e;
            }
        } catch (OrtException e) {
            release.run();
            throw new ModelFileException(file, "ONNX Runtime cannot load it as a model (" + firstLine(e) + ")", e);
        } catch (ModelFileException | RuntimeException e) {
            release.run();
            throw e;
        }
    }

    private static OrtSession session(Path file, int threads, Map<String, Long> dimensions) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            for (Map.Entry<String, Long> dimension : dimensions.entrySet()) {
                options.setSymbolicDimensionValue(dimension.getKey(), dimension.getValue());
            }
            return OrtEnvironment.getEnvironment().createSession(file.toString(), options);
        }
    }

    /** The input shape the current session declares (-1: dynamic), as ONNX Runtime reports it. */
    long[] sessionInputShape() throws OrtException {
        return ((TensorInfo) session.getInputInfo().get(inputName).getInfo()).getShape();
    }

    private boolean fixedSize() {
        return inputShape[2] > 0 && inputShape[3] > 0;
    }

    /**
     * The session for images of {@code height} x {@code width}: opened for one size, the first call plans it for
     * theirs (where the height and width have names to give values to; a single name for both takes square sizes).
     */
    private OrtSession sessionFor(int height, int width) {
        if (sizes == Sizes.ANY || fixedSize()) {
            return session;
        }
        long[] planned = plannedShape;
        if (planned == null) {
            synchronized (this) {
                if (plannedShape == null) {
                    plan(height, width);
                }
                planned = plannedShape;
            }
        }
        if (planned[0] != height || planned[1] != width) {
            throw new IllegalArgumentException(name + " was planned for the run's one image size, " + planned[0]
                    + "x" + planned[1] + ", and got " + height + "x" + width);
        }
        return session;
    }

    private void plan(int height, int width) {
        String[] names = inputDimensionNames;
        boolean named = names != null && !names[2].isEmpty() && !names[3].isEmpty()
                && (!names[2].equals(names[3]) || height == width);
        try {
            if (named) {
                OrtSession planned = session(file, threads, names[2].equals(names[3])
                        ? Map.of(names[2], (long) height) : Map.of(names[2], (long) height, names[3], (long) width));
                OrtSession dynamic = session;
                session = planned;
                dynamic.close();
            }
        } catch (OrtException e) {
            throw new IllegalArgumentException(name + " cannot be planned for " + height + "x" + width + " images ("
                    + firstLine(e) + ")", e);
        } finally {
            plannedShape = new long[] {height, width};
            release.run();
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
        OrtSession run = sessionFor(height, width);
        try (OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(pixels), shape);
             OrtSession.Result result = run.run(Map.of(inputName, tensor))) {
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
        } finally {
            release.run();
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
