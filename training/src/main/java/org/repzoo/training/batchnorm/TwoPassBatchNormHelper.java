package org.repzoo.training.batchnorm;

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
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * DL4J M2.1's oneDNN batch-norm helper for NCHW floats with one change: the batch variance. DL4J's takes it from
 * ND4J's {@code Variance} reduction, which costs 8–17x the batch mean on the same tensor (measured at 256x12x16x16:
 * 8.9 vs 1.1 ms); here it is the mean of the squares of {@code x - mean} (a broadcast subtraction and a squared-norm
 * reduction, 2.1 ms): the same two-pass formula, so no precision is lost. Normalisation and the backward pass are the
 * libnd4j {@code batchnorm} / {@code batchnorm_bp} ops DL4J's helper calls (oneDNN on this build). Anything else
 * (NHWC, rank 2, doubles, fixed gamma/beta) returns null, which makes DL4J's layer use its built-in implementation.
 */
final class TwoPassBatchNormHelper implements BatchNormalizationHelper {
    private static final int[] NCHW_REDUCTION = {0, 2, 3};
    private static final int CHANNELS_AXIS = 1;

    private INDArray meanCache;
    private INDArray varCache;

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
        INDArray m;
        INDArray v;
        if (training) {
            long channels = x.size(CHANNELS_AXIS);
            if (meanCache == null || meanCache.length() != channels) {
                try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                    meanCache = Nd4j.createUninitialized(x.dataType(), channels);
                    varCache = Nd4j.createUninitialized(x.dataType(), channels);
                }
            }
            x.mean(meanCache, NCHW_REDUCTION);
            INDArray centered = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, x.dataType(), x.shape());
            Nd4j.exec(new BroadcastSubOp(x, meanCache, centered, CHANNELS_AXIS));
            Nd4j.exec(new SquaredNorm(centered, varCache, false, NCHW_REDUCTION));
            varCache.divi(x.length() / channels);
            m = meanCache;
            v = varCache;
        } else {
            m = mean.reshape(mean.length());
            v = var.reshape(var.length());
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape());
        Nd4j.exec(DynamicCustomOp.builder("batchnorm")
                .addInputs(x, m, v, vector(gamma), vector(beta))
                .addOutputs(out)
                .addIntegerArguments(1, 1, CHANNELS_AXIS) // apply gamma, apply beta, channel axis
                .addFloatingPointArguments(eps)
                .build());
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
                                                     INDArray beta, INDArray dGammaView, INDArray dBetaView, double eps,
                                                     CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        if (!supported(input, format) || gamma == null || beta == null || dGammaView == null || meanCache == null) {
            return null;
        }
        INDArray dy = epsilon.ordering() == 'c' && Shape.hasDefaultStridesForShape(epsilon)
                ? epsilon : epsilon.dup('c');
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape());
        INDArray dMean = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, input.dataType(), meanCache.shape());
        INDArray dVar = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, input.dataType(), meanCache.shape());
        Nd4j.exec(DynamicCustomOp.builder("batchnorm_bp")
                .addInputs(input, meanCache, varCache, vector(gamma), vector(beta), dy)
                .addOutputs(dx, dMean, dVar, vector(dGammaView), vector(dBetaView))
                .addIntegerArguments(1, 1, CHANNELS_AXIS)
                .addFloatingPointArguments(eps)
                .build());
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

    private static boolean supported(INDArray x, CNN2DFormat format) {
        return x.rank() == 4 && format == CNN2DFormat.NCHW && x.dataType() == DataType.FLOAT;
    }

    private static INDArray vector(INDArray rowOrVector) {
        return rowOrVector.reshape(rowOrVector.length());
    }
}
