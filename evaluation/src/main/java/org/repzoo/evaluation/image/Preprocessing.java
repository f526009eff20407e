package org.repzoo.evaluation.image;

import org.repzoo.zoo.core.EvalPreset;

/**
 * A model's single-crop input from a decoded image: torchvision 0.14's {@code ImageClassification} preset
 * ({@code weights.transforms()}, docs/PROTOCOLS.md §4.1), driven by the model's {@link EvalPreset}.
 *
 * <pre>
 * ResizeShort(resizeSize, interpolation) → CenterCrop(cropSize) → channels in channelOrder
 *   → v / 255 (scale 1) or v (scale 255) → (v - mean[c]) / std[c], float CHW
 * </pre>
 *
 * The arithmetic is torchvision's, in float32: {@code convert_image_dtype} divides the uint8 value by 255 and
 * {@code Normalize} subtracts the float32 mean, then divides by the float32 std. The output therefore equals
 * torchvision's bit for bit whenever the resampled pixels do. The Caffe preset (BGR, 0..255, mean pixel, std 1)
 * follows the same two float operations.
 */
public final class Preprocessing {

    private Preprocessing() {
    }

    /** The {@code [channels, cropSize, cropSize]} input, channel-major, for {@code image}. */
    public static float[] apply(RgbImage image, EvalPreset preset) {
        RgbImage resized = new ResizeShort(preset.resizeSize(), preset.interpolation()).apply(image);
        return toTensor(new CenterCrop(preset.cropSize()).apply(resized), preset);
    }

    /**
     * Only the last step: {@code image} (already resized and cropped) as a normalised {@code [channels, height, width]}
     * float array in the preset's channel order and scale. Multi-view protocols build their views with the image
     * transforms and finish each here.
     */
    public static float[] toTensor(RgbImage image, EvalPreset preset) {
        float divisor = divisor(preset.scale());
        int planeSize = image.width() * image.height();
        byte[] pixels = image.pixels();
        if (preset.channels() == 1) {
            return grey(pixels, planeSize, divisor, preset);
        }
        float[] out = new float[3 * planeSize];
        for (int channel = 0; channel < 3; channel++) {
            int source = preset.channelOrder() == EvalPreset.ChannelOrder.RGB ? channel : 2 - channel;
            float mean = preset.mean().get(channel).floatValue();
            float std = preset.std().get(channel).floatValue();
            int plane = channel * planeSize;
            for (int i = 0; i < planeSize; i++) {
                float value = (pixels[3 * i + source] & 0xFF) / divisor;
                out[plane + i] = (value - mean) / std;
            }
        }
        return out;
    }

    /**
     * One plane of PIL's {@code convert("L")} luma ({@code (19595 R + 38470 G + 7471 B + 0x8000) >> 16}), which
     * gives back the value of a grey image stored as RGB (IDX images, grey JPEGs) exactly.
     */
    private static float[] grey(byte[] pixels, int planeSize, float divisor, EvalPreset preset) {
        float mean = preset.mean().get(0).floatValue();
        float std = preset.std().get(0).floatValue();
        float[] out = new float[planeSize];
        for (int i = 0; i < planeSize; i++) {
            int luma = (19595 * (pixels[3 * i] & 0xFF) + 38470 * (pixels[3 * i + 1] & 0xFF)
                    + 7471 * (pixels[3 * i + 2] & 0xFF) + 0x8000) >> 16;
            out[i] = (luma / divisor - mean) / std;
        }
        return out;
    }

    /** torchvision divides by 255 to reach [0, 1]; Caffe-style presets keep 0..255 (dividing by 1 is exact). */
    private static float divisor(double scale) {
        if (scale == 1) {
            return 255f;
        }
        if (scale == 255) {
            return 1f;
        }
        throw new IllegalArgumentException("preset scale must be 1 (values in [0, 1]) or 255 (0..255), got "
                + scale);
    }
}
