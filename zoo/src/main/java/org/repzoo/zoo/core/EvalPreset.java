package org.repzoo.zoo.core;

import java.util.List;

/**
 * How a model expects its images: torchvision's {@code weights.transforms()} or timm's {@code pretrained_cfg}.
 * The evaluation module reads this; nothing else hard-codes 256/224 or the ImageNet statistics.
 *
 * @param resizeSize    shorter side after resize
 * @param cropSize      centre crop (square)
 * @param interpolation resize filter
 * @param mean          per-channel mean, in {@code channelOrder}, on the {@code scale} of the pixel values
 * @param std           per-channel standard deviation (1 for Caffe-style mean subtraction)
 * @param channelOrder  RGB (torchvision) or BGR (Caffe); with one mean and std the model takes one grey channel
 *                      (PIL's {@code convert("L")} of the RGB image), and the order is irrelevant
 * @param scale         pixel range the mean/std apply to: 1 (values in [0,1]) or 255 (Caffe)
 */
public record EvalPreset(int resizeSize, int cropSize, Interpolation interpolation, List<Double> mean,
                         List<Double> std, ChannelOrder channelOrder, double scale) {

    public enum Interpolation { BILINEAR, BICUBIC }

    public enum ChannelOrder { RGB, BGR }

    /** torchvision's ImageNet preset: resize 256, crop 224, bilinear, ImageNet mean/std, RGB in [0,1]. */
    public static final EvalPreset TORCHVISION_IMAGENET = torchvision(256, 224);

    /** Caffe's: BGR in 0..255 minus the ImageNet mean pixel (Caffe's ilsvrc_2012_mean), no scaling. */
    public static final EvalPreset CAFFE_IMAGENET = new EvalPreset(256, 224, Interpolation.BILINEAR,
            List.of(103.939, 116.779, 123.68), List.of(1.0, 1.0, 1.0), ChannelOrder.BGR, 255);

    public static EvalPreset torchvision(int resize, int crop) {
        return new EvalPreset(resize, crop, Interpolation.BILINEAR, List.of(0.485, 0.456, 0.406),
                List.of(0.229, 0.224, 0.225), ChannelOrder.RGB, 1);
    }

    public EvalPreset {
        mean = List.copyOf(mean);
        std = List.copyOf(std);
        if (mean.size() != std.size() || (mean.size() != 1 && mean.size() != 3)) {
            throw new IllegalArgumentException("a preset has 1 (grey) or 3 means and as many stds, got " + mean
                    + " and " + std);
        }
        if (cropSize > resizeSize) {
            throw new IllegalArgumentException("crop " + cropSize + " larger than resize " + resizeSize);
        }
    }

    /** Channels of the model input: 3, or 1 for grey models. */
    public int channels() {
        return mean.size();
    }
}
