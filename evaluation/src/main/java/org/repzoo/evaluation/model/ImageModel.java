package org.repzoo.evaluation.model;

/**
 * A classifier of image batches: what the evaluation engine, {@code predict} and {@code bench} run. DL4J's graphs
 * ({@link GraphModel}) and ONNX Runtime sessions (the deploy module's {@code OrtModel}) stand behind it, so that the
 * engine depends on neither library's types.
 */
public interface ImageModel extends AutoCloseable {

    /**
     * The main head's logits, {@code images x classes} in row-major order, for {@code images} float NCHW images of
     * {@code channels x height x width} laid out one after another in {@code pixels}.
     *
     * @throws IllegalArgumentException the model cannot run images of that shape
     */
    float[] logits(float[] pixels, int images, int channels, int height, int width);

    /** Whether {@link #logits} may be called from several threads at once (a DL4J graph may not). */
    boolean threadSafe();

    /** The engine and its version, for reports ("DL4J 1.0.0-M2.1", "ONNX Runtime 1.29.0"). */
    String engine();

    /** Releases native resources (an ONNX Runtime session); a DL4J graph has none to release here. */
    @Override
    default void close() {
    }
}
