package org.repzoo.training.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.repzoo.evaluation.data.BadInput;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.IdxDataset;
import org.repzoo.evaluation.data.ImageFolder;
import org.repzoo.evaluation.data.Sample;
import org.repzoo.evaluation.data.SubsetDataset;
import org.repzoo.evaluation.image.ImageFileException;
import org.repzoo.evaluation.image.RgbImage;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.SettingException;

/**
 * What {@code repzoo train --data} names, as a training and a validation set: (Fashion-)MNIST IDX files (the train
 * split, validated on the test split), or an ImageNet-style folder with {@code train/} and {@code val/} class
 * folders. {@code fashion-mnist} stands for Debian's {@code dataset-fashion-mnist} files.
 *
 * @param train       the images trained on
 * @param validation  the images validated on after each epoch
 * @param description how logs and reports name the data
 * @param idx         whether it is IDX (small grey images: the preset comes from their statistics)
 */
public record TrainingData(Dataset train, Dataset validation, String description, boolean idx) {

    /** Where Debian's {@code dataset-fashion-mnist} puts the gzipped IDX files. */
    public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String FASHION_MNIST_NAME = "fashion-mnist";

    public static TrainingData open(String data) throws IOException {
        Path path = FASHION_MNIST_NAME.equals(data) ? FASHION_MNIST : Path.of(data);
        if (!Files.exists(path)) {
            throw new SettingException("data", FASHION_MNIST_NAME.equals(data)
                    ? data + ": Fashion-MNIST is not in " + FASHION_MNIST + " (Debian's dataset-fashion-mnist installs"
                    + " it there; or give the folder of its IDX files)"
                    : data + ": no such file or folder");
        }
        if (IdxDataset.looksLikeIdx(path)) {
            return new TrainingData(IdxDataset.open(path, "train"), IdxDataset.open(path, "test"),
                    path + " (IDX: train split, validated on the test split)", true);
        }
        Path train = path.resolve("train");
        Path val = path.resolve("val");
        if (!Files.isDirectory(train) || !Files.isDirectory(val)) {
            throw new SettingException("data", path + ": expected IDX files, or train/ and val/ class folders");
        }
        Dataset trainSet = checked(ImageFolder.open(train, null));
        Dataset valSet = checked(ImageFolder.open(val, null));
        if (!trainSet.classNames().equals(valSet.classNames())) {
            throw new IOException(path + ": train/ and val/ have different class folders");
        }
        return new TrainingData(trainSet, valSet, path + " (train/, validated on val/)", false);
    }

    /** The same data with only the first {@code n} training images (quick runs). */
    public TrainingData limit(int n) {
        if (n < 1) {
            throw new SettingException("limit", "must be at least 1, got " + n);
        }
        List<Sample> first = train.samples().subList(0, Math.min(n, train.samples().size()));
        Dataset limited = new SubsetDataset(train, first, train.problems());
        return new TrainingData(limited, validation, description + ", first " + first.size() + " training images", idx);
    }

    private static Dataset checked(Dataset dataset) throws IOException {
        List<BadInput> problems = dataset.problems();
        if (!problems.isEmpty()) {
            throw new IOException(problems.get(0).path() + ": " + problems.get(0).problem());
        }
        return dataset;
    }

    /**
     * A preset for a model trained here on small images: the evaluation view is the whole image resized to
     * {@code size}; mean and std are the training set's, per channel (one channel: grey), over up to 10,000 images
     * spread over the set.
     */
    public EvalPreset statisticsPreset(int channels, int size) throws ImageFileException {
        List<Sample> samples = train.samples();
        int count = Math.min(samples.size(), 10_000);
        double[] sum = new double[3];
        double[] squares = new double[3];
        long pixels = 0;
        for (int i = 0; i < count; i++) {
            RgbImage image = samples.get((int) ((long) i * samples.size() / count)).image().read();
            byte[] p = image.pixels();
            for (int j = 0; j < p.length; j++) {
                double v = (p[j] & 0xFF) / 255.0;
                sum[j % 3] += v;
                squares[j % 3] += v * v;
            }
            pixels += (long) image.width() * image.height();
        }
        List<Double> mean = new java.util.ArrayList<>();
        List<Double> std = new java.util.ArrayList<>();
        for (int c = 0; c < 3; c++) {
            double m = sum[c] / pixels;
            mean.add(round(m));
            std.add(round(Math.sqrt(Math.max(squares[c] / pixels - m * m, 1e-12))));
        }
        if (channels == 1) {
            mean = List.of((mean.get(0) + mean.get(1) + mean.get(2)) / 3);
            std = List.of((std.get(0) + std.get(1) + std.get(2)) / 3);
        }
        return new EvalPreset(size, size, EvalPreset.Interpolation.BILINEAR, mean, std, EvalPreset.ChannelOrder.RGB, 1);
    }

    /** Four decimals, as such statistics are quoted (Fashion-MNIST: 0.2860, 0.3530). */
    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
