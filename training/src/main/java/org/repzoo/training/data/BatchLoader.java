package org.repzoo.training.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.Sample;
import org.repzoo.evaluation.image.ImageFileException;
import org.repzoo.evaluation.image.Preprocessing;
import org.repzoo.evaluation.image.RgbImage;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.SettingException;

/**
 * Batches of a dataset, built on {@code workers} threads: decoded, augmented (training) or given the evaluation
 * view (validation), normalised, one-hot labelled. An example's randomness comes from its own generator, seeded by
 * (seed, epoch, example index), so a batch does not depend on the thread count or on what was loaded before.
 *
 * <p>A loader can also be given each batch's samples with their indices in the training set ({@link #submit(List,
 * int[], int)}): a Spark executor gets a minibatch's samples from the driver rather than the whole listing, and
 * builds the same batch as a loader over the whole set.
 */
public final class BatchLoader implements AutoCloseable {

    /** Features {@code [n, channels, crop, crop]} and one-hot labels {@code [n, classes]}. */
    public record Batch(INDArray features, INDArray labels, int[] labelIndices) {
    }

    private final List<Sample> samples;
    private final int classes;
    private final Augmenter augmenter;
    private final EvalPreset preset;
    private final long seed;
    private final int workers;
    private final ExecutorService pool;

    /** @param augmenter the training augmentation, or null for the evaluation view (the preset's single crop) */
    public BatchLoader(Dataset dataset, Augmenter augmenter, EvalPreset preset, long seed, int workers) {
        this(dataset.samples(), dataset.classNames().size(), augmenter, preset, seed, workers);
    }

    /**
     * A loader over {@code samples} (indices below are positions in this list), labelled among {@code classes}
     * classes; empty for a loader that is given each batch's samples.
     */
    public BatchLoader(List<Sample> samples, int classes, Augmenter augmenter, EvalPreset preset, long seed,
                       int workers) {
        if (workers < 1) {
            throw new SettingException("workers", "must be at least 1, got " + workers);
        }
        this.samples = samples;
        this.classes = classes;
        this.augmenter = augmenter;
        this.preset = preset;
        this.seed = seed;
        this.workers = workers;
        this.pool = Executors.newFixedThreadPool(workers, runnable -> {
            Thread thread = new Thread(runnable, "repzoo-input");
            thread.setDaemon(true);
            return thread;
        });
    }

    public int size() {
        return samples.size();
    }

    /** Starts building the batch of these examples; {@link #await} waits for it. */
    public CompletableFuture<Batch> submit(int[] indices, int epoch) {
        List<Sample> batch = new ArrayList<>(indices.length);
        for (int index : indices) {
            batch.add(samples.get(index));
        }
        return submit(batch, indices, epoch);
    }

    /**
     * Starts building the batch of {@code batch}, whose sample {@code i} is example {@code indices[i]} of the training
     * set (its augmentation is drawn from that index, as {@link #submit(int[], int)} draws it).
     */
    public CompletableFuture<Batch> submit(List<Sample> batch, int[] indices, int epoch) {
        if (batch.size() != indices.length) {
            throw new IllegalArgumentException(batch.size() + " samples but " + indices.length + " indices");
        }
        int channels = preset.channels();
        int plane = preset.cropSize() * preset.cropSize();
        float[] features = new float[indices.length * channels * plane];
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        int chunk = (indices.length + workers - 1) / workers;
        for (int from = 0; from < indices.length; from += chunk) {
            int start = from;
            int end = Math.min(indices.length, from + chunk);
            parts.add(CompletableFuture.runAsync(() -> {
                for (int i = start; i < end; i++) {
                    float[] example = example(batch.get(i), indices[i], epoch);
                    System.arraycopy(example, 0, features, i * example.length, example.length);
                }
            }, pool));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> {
            INDArray labels = Nd4j.zeros(DataType.FLOAT, indices.length, classes);
            int[] labelIndices = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                labelIndices[i] = batch.get(i).label();
                labels.putScalar(i, labelIndices[i], 1);
            }
            INDArray x = Nd4j.create(features, new long[] {indices.length, channels, preset.cropSize(),
                    preset.cropSize()}, 'c');
            return new Batch(x, labels, labelIndices);
        });
    }

    /** The batch, or the first bad image's error (with its path). */
    public static Batch await(CompletableFuture<Batch> batch) throws IOException {
        try {
            return batch.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw e;
        }
    }

    public Batch load(int[] indices, int epoch) throws IOException {
        return await(submit(indices, epoch));
    }

    private float[] example(Sample sample, int index, int epoch) {
        RgbImage image;
        try {
            image = sample.image().read();
        } catch (ImageFileException e) {
            throw new UncheckedIOException(e);
        }
        if (augmenter == null) {
            return Preprocessing.apply(image, preset);
        }
        return augmenter.apply(image, new SplittableRandom(exampleSeed(seed, epoch, index)));
    }

    /** A seed per (run, epoch, example): distinct for every triple in practice, independent of thread timing. */
    static long exampleSeed(long seed, int epoch, int index) {
        return seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + index * 0x165667B19E3779F9L;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
