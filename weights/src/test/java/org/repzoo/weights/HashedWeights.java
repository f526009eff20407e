package org.repzoo.weights;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.weights.format.DType;
import org.repzoo.weights.format.StoredTensor;

/**
 * Java twin of tools/reference/hashed_weights.py: the same integer hash and the same IEEE double operations, so
 * every float equals the one PyTorch was given. Parity tests regenerate full-size weights instead of storing them.
 */
public final class HashedWeights {

    private static final Pattern RESIDUAL_BRANCH_BN = Pattern.compile("\\.bn[23]\\.weight$");
    private static final Pattern REPVGG_BRANCH_BN = Pattern.compile("\\.rbr_(dense|1x1)\\.bn\\.weight$|\\.rbr_identity\\.weight$");
    private static final Pattern XCEPTION_BRANCH_BN = Pattern.compile("^block\\d+\\.rep\\.\\d+\\.weight$");

    private HashedWeights() {
    }

    static double uniform(long seed, long index) {
        long h = (index * 2654435761L + seed) & 0xFFFFFFFFL;
        h ^= h >>> 16;
        h = (h * 0x45D9F3BL) & 0xFFFFFFFFL;
        h ^= h >>> 16;
        return h / 4294967296.0 * 2.0 - 1.0;
    }

    /** The same if-chain as hashed_weights.tensor, chosen once per tensor. */
    private static java.util.function.DoubleUnaryOperator rule(String key, long[] shape, long fanIn) {
        if (key.endsWith("running_var")) {
            return v -> 1.0 + 0.5 * v;
        } else if (key.endsWith("running_mean") || key.endsWith("bias")) {
            return v -> 0.1 * v;
        } else if (RESIDUAL_BRANCH_BN.matcher(key).find()) {
            return v -> 0.1 + 0.05 * v;
        } else if (REPVGG_BRANCH_BN.matcher(key).find()) {
            return v -> 0.4 + 0.1 * v;
        } else if (XCEPTION_BRANCH_BN.matcher(key).find()) {
            return v -> 0.5 + 0.1 * v;
        } else if (key.endsWith("weight") && shape.length == 1) {
            return v -> 1.0 + 0.2 * v;
        } else if (key.endsWith("weight")) {
            double scale = Math.sqrt(6.0 / fanIn);
            return v -> v * scale;
        }
        return v -> v;
    }

    public static INDArray tensor(String key, long[] shape) {
        return Nd4j.create(values(key, shape), shape, 'c');
    }

    /** The values of {@link #tensor} in C order, without an ND4J array. */
    static float[] values(String key, long[] shape) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        long seed = crc.getValue();
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        long fanIn = count / (shape.length > 0 ? shape[0] : 1);
        java.util.function.DoubleUnaryOperator rule = rule(key, shape, fanIn);
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rule.applyAsDouble(uniform(seed, i));
        }
        return values;
    }

    /** The same arrays as checkpoint tensors (float32, PyTorch layout). */
    public static java.util.Map<String, StoredTensor> host(java.util.Map<String, INDArray> state) {
        java.util.Map<String, StoredTensor> host = new java.util.LinkedHashMap<>();
        state.forEach((k, v) -> host.put(k, Tensors.fromArray(v)));
        return host;
    }

    /**
     * One hashed tensor as a checkpoint tensor whose values are computed each time it is read: a state_dict of these
     * holds no weights, so writing the largest models' checkpoints (RepVGG-D2se, 133M parameters) needs the memory
     * of one tensor at a time.
     */
    public record Lazy(String key, long[] shape) implements StoredTensor {
        @Override
        public DType dtype() {
            return DType.F32;
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public java.nio.ByteBuffer read() {
            float[] values = values(key, shape);
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(values.length * Float.BYTES)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            return bytes;
        }
    }

    /** {@link #stateDict}'s keys and values, each tensor computed when it is read ({@link Lazy}). */
    public static java.util.Map<String, StoredTensor> lazyStateDict(
            org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf) {
        java.util.Map<String, StoredTensor> state = new java.util.LinkedHashMap<>();
        for (org.repzoo.zoo.core.WeightKeys.TorchParam p : org.repzoo.zoo.core.WeightKeys.torchParams(conf).values()) {
            state.put(p.key(), new Lazy(p.key(), p.shape()));
        }
        return state;
    }

    /** The hashed state_dict of a configuration, in PyTorch layout and naming, as checkpoint tensors. */
    public static java.util.Map<String, StoredTensor> stateDict(
            org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf) {
        java.util.Map<String, INDArray> state = new java.util.LinkedHashMap<>();
        for (org.repzoo.zoo.core.WeightKeys.TorchParam p : org.repzoo.zoo.core.WeightKeys.torchParams(conf).values()) {
            state.put(p.key(), tensor(p.key(), p.shape()));
        }
        return host(state);
    }
}
