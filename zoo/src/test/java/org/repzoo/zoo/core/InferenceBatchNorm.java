package org.repzoo.zoo.core;

import java.lang.reflect.Field;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batch norm in inference mode even in a training pass, for gradient checks of whole networks: the running statistics
 * normalise ({@code y = gamma (x - mean) / sqrt(var + eps) + beta}) and the backward pass treats them as constants.
 * In training mode a deep net's batch statistics over a few examples at a tiny input make the score so curved that
 * central differences cross ReLU kinks (ResNeXt-50 at 1x1, batch 4: gradients of 1e9, relative errors near 1); in
 * inference mode a checked net is an affine-and-ReLU function whose gradient central differences measure. DL4J's own
 * checks cover its training-mode batch norm; {@code compat}'s tests cover RepZoo's plane helper.
 *
 * <p>DL4J M2.1 picks a layer's helper from hard-coded class names, so {@link #install} sets the layer's
 * package-private field, as {@code org.repzoo.compat.BatchNormHelpers} does. NCHW only, as the registry builds.
 */
public final class InferenceBatchNorm implements BatchNormalizationHelper {

    private static final Field HELPER = helperField();

    /** The last forward pass's statistics and gamma, per channel: the backward pass needs them and is not given them. */
    private double[] mean;
    private double[] invStd;
    private double[] gamma;
    private INDArray runningMean;
    private INDArray runningVar;

    /** Puts an inference-mode helper under every batch norm of {@code net}; returns how many. */
    public static int install(ComputationGraph net) {
        int installed = 0;
        for (Layer layer : net.getLayers()) {
            if (layer instanceof BatchNormalization batchNorm) {
                try {
                    HELPER.set(batchNorm, new InferenceBatchNorm());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
                installed++;
            }
        }
        return installed;
    }

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
        if (x.rank() != 4 || format != CNN2DFormat.NCHW) {
            throw new IllegalArgumentException("inference-mode batch norm takes NCHW, got rank " + x.rank() + ", "
                    + format);
        }
        this.mean = mean.toDoubleVector();
        this.gamma = gamma.toDoubleVector();
        double[] variance = var.toDoubleVector();
        this.invStd = new double[variance.length];
        for (int c = 0; c < variance.length; c++) {
            invStd[c] = 1 / Math.sqrt(variance[c] + eps);
        }
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            runningMean = mean.dup();
            runningVar = var.dup();
        }
        double[] b = beta.toDoubleVector();
        double[] scale = new double[invStd.length];
        double[] shift = new double[invStd.length];
        for (int c = 0; c < scale.length; c++) {
            scale[c] = this.gamma[c] * invStd[c];
            shift[c] = b[c] - this.mean[c] * scale[c];
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(), 'c');
        out.assign(x.mul(perChannel(scale)).addi(perChannel(shift)));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
                                                     INDArray beta, INDArray dGammaView, INDArray dBetaView, double eps,
                                                     CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        double[] scale = new double[invStd.length];
        double[] negativeMean = new double[invStd.length];
        for (int c = 0; c < scale.length; c++) {
            scale[c] = gamma.getDouble(c) * invStd[c];
            negativeMean[c] = -mean[c];
        }
        INDArray normalised = input.add(perChannel(negativeMean)).muli(perChannel(invStd));
        dGammaView.assign(epsilon.mul(normalised).sum(0, 2, 3).reshape(dGammaView.shape()));
        dBetaView.assign(epsilon.sum(0, 2, 3).reshape(dBetaView.shape()));
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c');
        dx.assign(epsilon.mul(perChannel(scale)));
        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        return new Pair<>(gradient, dx);
    }

    /** The running statistics: DL4J's layer moves its running statistics toward these, which leaves them as they are. */
    @Override
    public INDArray getMeanCache(org.nd4j.linalg.api.buffer.DataType dataType) {
        return runningMean.castTo(dataType);
    }

    @Override
    public INDArray getVarCache(org.nd4j.linalg.api.buffer.DataType dataType) {
        return runningVar.castTo(dataType);
    }

    @Override
    public java.util.Map<String, Long> helperMemoryUse() {
        return java.util.Map.of();
    }

    private static INDArray perChannel(double[] values) {
        return Nd4j.createFromArray(values).reshape(1, values.length, 1, 1);
    }

    private static Field helperField() {
        try {
            Field field = BatchNormalization.class.getDeclaredField("helper");
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("DL4J's BatchNormalization has no 'helper' field: not DL4J 1.0.0-M2.1?", e);
        }
    }
}
