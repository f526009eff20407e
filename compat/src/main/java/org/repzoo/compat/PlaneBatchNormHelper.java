package org.repzoo.compat;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.function.IntConsumer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batch norm for NCHW floats as plain Java loops over each channel's planes, the channels split over RepZoo's Java
 * threads ({@link Threads}, so {@code --threads} bounds them too).
 * DL4J M2.1's oneDNN helper spent 48% of a small RepVGG's training step in batch norm (a strided variance reduction,
 * and oneDNN's backward pass on plain NCHW, which is not its fast layout). Here the forward pass reads the input twice
 * (statistics, then the normalisation) and the backward pass reads input and gradient twice, each in memory order.
 * Statistics are summed in doubles around a shift (see {@link #statistics}); the backward pass is the closed form
 * {@code dx = γ/σ (dy − mean(dy) − x̂ mean(dy x̂))}. Each channel is summed by one thread in a fixed order, so results
 * do not depend on the thread count. Anything else (NHWC, doubles, fixed γ/β) returns null, which makes DL4J's layer
 * use its built-in implementation.
 */
final class PlaneBatchNormHelper implements BatchNormalizationHelper {
    /** The last training batch's mean and biased variance: DL4J's layer reads them to update its running statistics. */
    private INDArray meanCache;
    private INDArray varCache;
    private float[] batchMean;
    private float[] batchInvStd;

    @Override
    public boolean checkSupported(double eps, boolean fixedGammaBeta) {
        return !fixedGammaBeta;
    }

    @Override
    public boolean checkSupported() {
        return true;
    }

    @Override
    public INDArray preOutput(INDArray x, boolean training, long[] shape, INDArray gamma, INDArray beta, INDArray mean,
                              INDArray var, double decay, double eps, CNN2DFormat format,
                              LayerWorkspaceMgr workspaceMgr) {
        if (!supported(x, format) || gamma == null || beta == null) {
            return null;
        }
        Planes planes = new Planes(contiguous(x));
        float[] m;
        float[] invStd;
        if (training) {
            m = new float[planes.channels];
            float[] v = new float[planes.channels];
            FloatBuffer in = planes.buffer();
            forEachChannel(planes.channels, c -> statistics(in, planes, c, m, v));
            cache(m, v);
            invStd = inverseStd(v, eps);
            batchMean = m;
            batchInvStd = invStd;
        } else {
            m = mean.toFloatVector();
            invStd = inverseStd(var.toFloatVector(), eps);
        }
        float[] g = gamma.toFloatVector();
        float[] b = beta.toFloatVector();
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, x.shape(), 'c');
        FloatBuffer in = planes.buffer();
        FloatBuffer o = buffer(out);
        forEachChannel(planes.channels, c -> {
            float scale = g[c] * invStd[c];
            float shift = b[c] - m[c] * scale;
            for (int n = 0; n < planes.batch; n++) {
                int base = planes.start(n, c);
                for (int i = base, end = base + planes.size; i < end; i++) {
                    o.put(i, in.get(i) * scale + shift);
                }
            }
        });
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
                                                     INDArray beta, INDArray dGammaView, INDArray dBetaView, double eps,
                                                     CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        if (!supported(input, format) || gamma == null || dGammaView == null || batchMean == null
                || batchMean.length != input.size(1)) {
            return null;
        }
        Planes planes = new Planes(contiguous(input));
        FloatBuffer x = planes.buffer();
        FloatBuffer dy = buffer(contiguous(epsilon));
        float[] g = gamma.toFloatVector();
        float[] m = batchMean;
        float[] invStd = batchInvStd;
        float[] dGamma = new float[planes.channels];
        float[] dBeta = new float[planes.channels];
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
        FloatBuffer out = buffer(dx);
        double count = (double) planes.batch * planes.size;
        forEachChannel(planes.channels, c -> {
            double mu = m[c];
            double sumDy = 0;
            double sumDyCentred = 0;
            for (int n = 0; n < planes.batch; n++) {
                int base = planes.start(n, c);
                for (int i = base, end = base + planes.size; i < end; i++) {
                    double d = dy.get(i);
                    sumDy += d;
                    sumDyCentred += d * (x.get(i) - mu);
                }
            }
            // Σ dy x̂ = Σ dy (x − μ) / σ (centred: no cancellation far from zero); then dx = a dy + b x + k, the
            // closed form expanded per channel.
            double sumDyHat = sumDyCentred * invStd[c];
            dGamma[c] = (float) sumDyHat;
            dBeta[c] = (float) sumDy;
            double a = g[c] * invStd[c];
            double bx = -a * invStd[c] * sumDyHat / count;
            float fa = (float) a;
            float fb = (float) bx;
            float fk = (float) (-a * sumDy / count - bx * mu);
            for (int n = 0; n < planes.batch; n++) {
                int base = planes.start(n, c);
                for (int i = base, end = base + planes.size; i < end; i++) {
                    out.put(i, fa * dy.get(i) + fb * x.get(i) + fk);
                }
            }
        });
        dGammaView.assign(Nd4j.createFromArray(dGamma).reshape(dGammaView.shape()));
        dBetaView.assign(Nd4j.createFromArray(dBeta).reshape(dBetaView.shape()));
        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        return new Pair<>(gradient, dx);
    }

    @Override
    public INDArray getMeanCache(DataType dataType) {
        return meanCache;
    }

    @Override
    public INDArray getVarCache(DataType dataType) {
        return varCache;
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        return Map.of();
    }

    /**
     * Mean and biased variance in one pass: sums of {@code x - k} and its square in doubles, k the channel's first
     * value. Doubles hold a float's square exactly and keep 29 more bits than the data have, and the shift keeps the
     * sums near the variance's scale, so E[d²] − E[d]² loses nothing a float result would show.
     */
    private static void statistics(FloatBuffer in, Planes planes, int c, float[] mean, float[] var) {
        double k = in.get(planes.start(0, c));
        double s0 = 0;
        double s1 = 0;
        double q0 = 0;
        double q1 = 0;
        for (int n = 0; n < planes.batch; n++) {
            int base = planes.start(n, c);
            int end = base + planes.size;
            int i = base;
            for (; i + 1 < end; i += 2) {
                double d0 = in.get(i) - k;
                double d1 = in.get(i + 1) - k;
                s0 += d0;
                s1 += d1;
                q0 += d0 * d0;
                q1 += d1 * d1;
            }
            if (i < end) {
                double d = in.get(i) - k;
                s0 += d;
                q0 += d * d;
            }
        }
        double count = (double) planes.batch * planes.size;
        double shiftedMean = (s0 + s1) / count;
        mean[c] = (float) (k + shiftedMean);
        var[c] = (float) Math.max(0, (q0 + q1) / count - shiftedMean * shiftedMean);
    }

    private void cache(float[] mean, float[] var) {
        if (meanCache == null || meanCache.length() != mean.length) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                meanCache = Nd4j.createUninitialized(DataType.FLOAT, mean.length);
                varCache = Nd4j.createUninitialized(DataType.FLOAT, mean.length);
            }
        }
        buffer(meanCache).put(0, mean);
        buffer(varCache).put(0, var);
    }

    private static float[] inverseStd(float[] var, double eps) {
        float[] inv = new float[var.length];
        for (int c = 0; c < var.length; c++) {
            inv[c] = (float) (1 / Math.sqrt(var[c] + eps));
        }
        return inv;
    }

    private static void forEachChannel(int channels, IntConsumer body) {
        Threads.forEach(channels, body);
    }

    private static boolean supported(INDArray x, CNN2DFormat format) {
        return x.rank() == 4 && format == CNN2DFormat.NCHW && x.dataType() == DataType.FLOAT
                && x.length() < Integer.MAX_VALUE;
    }

    private static INDArray contiguous(INDArray x) {
        return x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x) ? x : x.dup('c');
    }

    /** The array's own elements, index 0 first (ND4J positions a view's buffer at the view's offset). */
    static FloatBuffer buffer(INDArray array) {
        return array.data().asNioFloat().slice().limit((int) array.length());
    }

    /** An NCHW tensor as N x C planes of H*W floats. */
    private record Planes(INDArray array, int batch, int channels, int size) {
        Planes(INDArray array) {
            this(array, (int) array.size(0), (int) array.size(1), (int) (array.size(2) * array.size(3)));
        }

        int start(int n, int c) {
            return (n * channels + c) * size;
        }

        FloatBuffer buffer() {
            return PlaneBatchNormHelper.buffer(array);
        }
    }
}
