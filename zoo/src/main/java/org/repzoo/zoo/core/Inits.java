package org.repzoo.zoo.core;

import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInitDistribution;

/**
 * PyTorch's initialisation rules expressed as DL4J weight inits. DL4J's own {@code WeightInit.RELU} uses
 * fan-in; torchvision's zoo uses Kaiming normal with fan-out, so the standard deviation is computed here.
 */
public final class Inits {

    private Inits() {
    }

    /** {@code kaiming_normal_(mode="fan_out", nonlinearity="relu")} for a conv weight [out, in/g, kh, kw]. */
    public static IWeightInit kaimingNormalFanOut(int outChannels, int kernelHeight, int kernelWidth) {
        double fanOut = (double) outChannels * kernelHeight * kernelWidth;
        return new WeightInitDistribution(new NormalDistribution(0, Math.sqrt(2.0 / fanOut)));
    }

    /** {@code normal_(0, std)}, e.g. torchvision VGG's classifier (std 0.01). */
    public static IWeightInit normal(double std) {
        return new WeightInitDistribution(new NormalDistribution(0, std));
    }

    /** {@code nn.Linear}'s default: kaiming_uniform with a=sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    public static IWeightInit linearDefault(long fanIn) {
        double bound = 1.0 / Math.sqrt(fanIn);
        return new WeightInitDistribution(new UniformDistribution(-bound, bound));
    }
}
