package org.repzoo.zoo.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.weights.WeightInitUtil;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameters of a {@link GroupedConvolution}: weight {@code W} [out, in/groups, kH, kW] in c order (PyTorch's layout)
 * and, with bias, {@code b} [out]. The flat view holds the bias first, as DL4J's {@link ConvolutionParamInitializer}
 * does. The weight init receives PyTorch's fans for a grouped weight ({@code torch.nn.init._calculate_fan_in_and_fan_out}):
 * fan-in {@code in/groups * kH * kW} and fan-out {@code out * kH * kW}, not divided by groups.
 */
public final class GroupedConvolutionParamInitializer implements ParamInitializer {

    public static final String WEIGHT_KEY = ConvolutionParamInitializer.WEIGHT_KEY;
    public static final String BIAS_KEY = ConvolutionParamInitializer.BIAS_KEY;

    private static final GroupedConvolutionParamInitializer INSTANCE = new GroupedConvolutionParamInitializer();

    private GroupedConvolutionParamInitializer() {
    }

    public static GroupedConvolutionParamInitializer getInstance() {
        return INSTANCE;
    }

    /** [out, in/groups, kH, kW]. */
    public static long[] weightShape(GroupedConvolution layer) {
        int[] kernel = layer.getKernelSize();
        return new long[] {layer.getNOut(), layer.inChannelsPerGroup(), kernel[0], kernel[1]};
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        GroupedConvolution conv = (GroupedConvolution) layer;
        long[] shape = weightShape(conv);
        return shape[0] * shape[1] * shape[2] * shape[3] + biasLength(conv);
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return ((GroupedConvolution) layer).hasBias() ? List.of(WEIGHT_KEY, BIAS_KEY) : List.of(WEIGHT_KEY);
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return List.of(WEIGHT_KEY);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return ((GroupedConvolution) layer).hasBias() ? List.of(BIAS_KEY) : List.of();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return WEIGHT_KEY.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return BIAS_KEY.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        GroupedConvolution layer = (GroupedConvolution) conf.getLayer();
        Map<String, INDArray> params = Collections.synchronizedMap(new LinkedHashMap<>());
        INDArray flat = paramsView.reshape(paramsView.length());
        long biasLength = biasLength(layer);
        if (biasLength > 0) {
            INDArray bias = flat.get(NDArrayIndex.interval(0, biasLength));
            if (initializeParams) {
                bias.assign(layer.getBiasInit());
            }
            params.put(BIAS_KEY, bias);
        }
        long[] shape = weightShape(layer);
        INDArray weightView = flat.get(NDArrayIndex.interval(biasLength, flat.length()));
        INDArray weight;
        if (initializeParams) {
            double fanIn = (double) shape[1] * shape[2] * shape[3];
            double fanOut = (double) shape[0] * shape[2] * shape[3];
            weight = layer.getWeightInitFn().init(fanIn, fanOut, shape, 'c', weightView);
        } else {
            weight = WeightInitUtil.reshapeWeights(shape, weightView, 'c');
        }
        params.put(WEIGHT_KEY, weight);
        conf.addVariable(WEIGHT_KEY);
        if (biasLength > 0) {
            conf.addVariable(BIAS_KEY);
        }
        return params;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        GroupedConvolution layer = (GroupedConvolution) conf.getLayer();
        INDArray flat = gradientView.reshape(gradientView.length());
        long biasLength = biasLength(layer);
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        if (biasLength > 0) {
            gradients.put(BIAS_KEY, flat.get(NDArrayIndex.interval(0, biasLength)));
        }
        gradients.put(WEIGHT_KEY, flat.get(NDArrayIndex.interval(biasLength, flat.length())).reshape('c', weightShape(layer)));
        return gradients;
    }

    private static long biasLength(GroupedConvolution layer) {
        return layer.hasBias() ? layer.getNOut() : 0;
    }
}
