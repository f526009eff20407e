package org.repzoo.training.data;

import java.util.SplittableRandom;
import org.repzoo.evaluation.image.CenterCrop;
import org.repzoo.evaluation.image.HorizontalFlip;
import org.repzoo.evaluation.image.Preprocessing;
import org.repzoo.evaluation.image.Resampler;
import org.repzoo.evaluation.image.ResizeShort;
import org.repzoo.evaluation.image.RgbImage;
import org.repzoo.training.recipe.Augmentation;
import org.repzoo.zoo.core.EvalPreset;

/**
 * One training example from one decoded image: a recipe's {@link Augmentation} (crop, flip, colour), then the
 * model's normalisation ({@link Preprocessing#toTensor}, so training and evaluation share mean, std and channels).
 * Stateless: the caller passes the example's own generator.
 */
public final class Augmenter {

    /** AlexNet's ImageNet RGB principal components (eigenvalues, eigenvectors as columns), as fb.resnet.torch uses. */
    private static final double[] EIGENVALUES = {0.2175, 0.0188, 0.0045};
    private static final double[][] EIGENVECTORS = {
        {-0.5675, 0.7192, 0.4009},
        {-0.5808, -0.0045, -0.8140},
        {-0.5836, -0.6948, 0.4203}};
    private static final double LIGHTING_STD = 0.1;
    /** Brightness, contrast and saturation factors drawn from [1 - 0.4, 1 + 0.4] (fb.resnet.torch's ColorJitter). */
    private static final double JITTER = 0.4;
    private static final double[] LUMA = {0.299, 0.587, 0.114};

    private final Augmentation augmentation;
    private final EvalPreset preset;

    public Augmenter(Augmentation augmentation, EvalPreset preset) {
        this.augmentation = augmentation;
        this.preset = preset;
        if (augmentation.cropSize() != preset.cropSize()) {
            throw new IllegalArgumentException("the recipe crops " + augmentation.cropSize() + " pixels but the model "
                    + "takes " + preset.cropSize() + ": set the recipe's augmentation.cropSize");
        }
    }

    /** The normalised {@code [channels, crop, crop]} training example. */
    public float[] apply(RgbImage image, SplittableRandom random) {
        RgbImage view = crop(image, random);
        if (augmentation.flip() == Augmentation.Flip.HORIZONTAL && random.nextBoolean()) {
            view = new HorizontalFlip().apply(view);
        }
        float[] tensor = Preprocessing.toTensor(view, preset);
        if (preset.channels() == 3) {
            colour(tensor, view.width() * view.height(), random);
        }
        return tensor;
    }

    private RgbImage crop(RgbImage image, SplittableRandom random) {
        int size = augmentation.cropSize();
        return switch (augmentation.crop()) {
            case PAD_CROP -> {
                RgbImage view = new CenterCrop(preset.cropSize())
                        .apply(new ResizeShort(preset.resizeSize(), preset.interpolation()).apply(image));
                int pad = augmentation.padding();
                yield window(view, random.nextInt(2 * pad + 1) - pad, random.nextInt(2 * pad + 1) - pad, size);
            }
            case SCALE_JITTER -> {
                int scale = augmentation.scaleMin() + random.nextInt(augmentation.scaleMax() - augmentation.scaleMin() + 1);
                RgbImage resized = new ResizeShort(scale, preset.interpolation()).apply(image);
                yield resized.crop(random.nextInt(resized.width() - size + 1),
                        random.nextInt(resized.height() - size + 1), size, size);
            }
            case RANDOM_RESIZED -> randomResized(image, random, size);
        };
    }

    /**
     * torchvision's {@code RandomResizedCrop.get_params}: ten tries at an area fraction and a log-uniform aspect
     * ratio that fit, else the centre crop of the image clamped to the aspect range.
     */
    private RgbImage randomResized(RgbImage image, SplittableRandom random, int size) {
        int width = image.width();
        int height = image.height();
        double area = (double) width * height;
        double logMin = Math.log(augmentation.aspectMin());
        double logMax = Math.log(augmentation.aspectMax());
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (augmentation.areaMin()
                    + random.nextDouble() * (augmentation.areaMax() - augmentation.areaMin()));
            double aspect = Math.exp(logMin + random.nextDouble() * (logMax - logMin));
            int w = (int) Math.round(Math.sqrt(target * aspect));
            int h = (int) Math.round(Math.sqrt(target / aspect));
            if (w > 0 && h > 0 && w <= width && h <= height) {
                RgbImage patch = image.crop(random.nextInt(width - w + 1), random.nextInt(height - h + 1),
                        w, h);
                return Resampler.resize(patch, size, size, preset.interpolation());
            }
        }
        double ratio = (double) width / height;
        int w = width;
        int h = height;
        if (ratio < augmentation.aspectMin()) {
            h = (int) Math.round(w / augmentation.aspectMin());
        } else if (ratio > augmentation.aspectMax()) {
            w = (int) Math.round(h * augmentation.aspectMax());
        }
        RgbImage patch = image.crop((width - w) / 2, (height - h) / 2, w, h);
        return Resampler.resize(patch, size, size, preset.interpolation());
    }

    /** A {@code size} square whose top-left corner is at (dx, dy) of {@code image}; outside it is black. */
    static RgbImage window(RgbImage image, int dx, int dy, int size) {
        byte[] out = new byte[3 * size * size];
        for (int y = 0; y < size; y++) {
            int sy = y + dy;
            if (sy < 0 || sy >= image.height()) {
                continue;
            }
            for (int x = 0; x < size; x++) {
                int sx = x + dx;
                if (sx >= 0 && sx < image.width()) {
                    System.arraycopy(image.pixels(), 3 * (sy * image.width() + sx), out, 3 * (y * size + x), 3);
                }
            }
        }
        return new RgbImage(size, size, out);
    }

    /**
     * Colour changes on the normalised tensor: a value v in [0, 1] sits at (v - mean) / std, so adding d to v adds
     * d / std, and scaling v about a point p maps it to p + f (v - p).
     */
    private void colour(float[] tensor, int plane, SplittableRandom random) {
        switch (augmentation.colour()) {
            case NONE -> { }
            case PCA_LIGHTING -> {
                double[] alpha = new double[3];
                for (int i = 0; i < 3; i++) {
                    alpha[i] = gaussian(random) * LIGHTING_STD * EIGENVALUES[i];
                }
                for (int c = 0; c < 3; c++) {
                    double shift = 0;
                    for (int i = 0; i < 3; i++) {
                        shift += EIGENVECTORS[rgb(c)][i] * alpha[i];
                    }
                    add(tensor, c, plane, (float) (shift * scale() / std(c)));
                }
            }
            case PHOTOMETRIC -> photometric(tensor, plane, random);
        }
    }

    /** Brightness, then contrast (about the mean grey), then saturation (about each pixel's grey), as ColorJitter. */
    private void photometric(float[] tensor, int plane, SplittableRandom random) {
        double brightness = 1 + JITTER * (2 * random.nextDouble() - 1);
        double contrast = 1 + JITTER * (2 * random.nextDouble() - 1);
        double saturation = 1 + JITTER * (2 * random.nextDouble() - 1);
        double[] grey = new double[plane];
        double meanGrey = 0;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                grey[i] += LUMA[rgb(c)] * brightness * (tensor[c * plane + i] * std(c) + mean(c));
            }
            meanGrey += grey[i] / plane;
        }
        for (int i = 0; i < plane; i++) {
            double pixelGrey = meanGrey + contrast * (grey[i] - meanGrey);
            for (int c = 0; c < 3; c++) {
                double v = brightness * (tensor[c * plane + i] * std(c) + mean(c));
                v = meanGrey + contrast * (v - meanGrey);
                v = pixelGrey + saturation * (v - pixelGrey);
                tensor[c * plane + i] = (float) ((v - mean(c)) / std(c));
            }
        }
    }

    /** The RGB index of tensor channel {@code c}. */
    private int rgb(int c) {
        return preset.channelOrder() == EvalPreset.ChannelOrder.RGB ? c : 2 - c;
    }

    private static void add(float[] tensor, int channel, int plane, float delta) {
        for (int i = channel * plane; i < (channel + 1) * plane; i++) {
            tensor[i] += delta;
        }
    }

    private double scale() {
        return preset.scale() == 255 ? 255 : 1;
    }

    private float std(int channel) {
        return preset.std().get(channel).floatValue();
    }

    private float mean(int channel) {
        return preset.mean().get(channel).floatValue();
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
