package org.repzoo.spark;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.TaskCompletionListener;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.repzoo.compat.OneDnn;
import org.repzoo.evaluation.data.Sample;
import org.repzoo.training.batch.OutputBatches;
import org.repzoo.training.data.Augmenter;
import org.repzoo.training.data.BatchLoader;
import org.repzoo.training.recipe.Augmentation;

/**
 * Executor side of by-reference training: turns a partition of minibatch references ({@link SampleBlock}: sample
 * paths and labels, or IDX image numbers, and the epoch) into the minibatches DL4J trains, with the single-JVM input
 * pipeline ({@link BatchLoader}, {@link Augmenter}). Each example's augmentation is drawn from (seed, epoch, sample
 * index), so an executor builds exactly the minibatch one JVM builds for that step; the next minibatch is decoded on
 * the loader's threads while DL4J trains the current one.
 *
 * <p>A sample that cannot be read ends the partition there and goes to the driver in {@code bad}, with its path and
 * the executor; the driver stops the run with it before the epoch's checkpoint ({@link BadSample#stopAtFirst}). The
 * iterator never throws: DL4J's gradient-sharing wrapper reads it on a thread of its own, where an exception would
 * leave the task waiting, and a Spark retry would only meet the same file again.
 *
 * <p>DL4J builds this executor's copy of the network after this function returns, outside RepZoo's graph factory, so
 * the function switches oneDNN's layer helpers on first ({@link OneDnn}), as the driver's factory does: a cluster's
 * executors then train with the same kernels as a local run.
 */
final class MinibatchLoader implements FlatMapFunction<Iterator<SampleBlock>, MultiDataSet> {

    private static final long serialVersionUID = 1L;

    private final ShippedImages images;
    private final ShippedPreset preset;
    private final Augmentation augmentation;
    private final long seed;
    private final int workers;
    private final int outputs;
    private final CollectionAccumulator<BadSample> bad;
    private final LongAccumulator imagesRead;

    /**
     * @param outputs    label arrays per minibatch (the network's outputs: auxiliary heads learn the same labels)
     * @param bad        where samples that cannot be read are reported
     * @param imagesRead counts the images decoded (per task, for {@link SparkTraffic})
     */
    MinibatchLoader(ShippedImages images, ShippedPreset preset, Augmentation augmentation, long seed, int workers,
                    int outputs, CollectionAccumulator<BadSample> bad, LongAccumulator imagesRead) {
        this.images = images;
        this.preset = preset;
        this.augmentation = augmentation;
        this.seed = seed;
        this.workers = workers;
        this.outputs = outputs;
        this.bad = bad;
        this.imagesRead = imagesRead;
    }

    @Override
    public Iterator<MultiDataSet> call(Iterator<SampleBlock> blocks) {
        OneDnn.enable();
        BatchLoader loader = new BatchLoader(List.of(), images.classNames().size(),
                new Augmenter(augmentation, preset.preset()), preset.preset(), seed, workers);
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((TaskCompletionListener) done -> loader.close());
        }
        return new Minibatches(blocks, loader);
    }

    /** The partition's minibatches, one decoded ahead. */
    private final class Minibatches implements Iterator<MultiDataSet> {

        private final Iterator<SampleBlock> blocks;
        private final BatchLoader loader;
        private SampleBlock pendingBlock;
        private List<Sample> pendingSamples;
        private CompletableFuture<BatchLoader.Batch> pending;
        private MultiDataSet ready;
        private boolean ended;

        Minibatches(Iterator<SampleBlock> blocks, BatchLoader loader) {
            this.blocks = blocks;
            this.loader = loader;
        }

        @Override
        public boolean hasNext() {
            if (ready != null) {
                return true;
            }
            if (ended) {
                return false;
            }
            if (pending == null && !submitNext()) {
                return end();
            }
            try {
                BatchLoader.Batch batch = BatchLoader.await(pending);
                ready = OutputBatches.of(outputs, batch.features(), batch.labels());
                if (imagesRead != null) {
                    imagesRead.add(batch.labelIndices().length);
                }
            } catch (IOException e) {
                bad.add(badSample(e));
                return end();
            }
            pending = null;
            submitNext(); // decoded while DL4J trains this one; a block that cannot be found ends the partition after it
            return true;
        }

        @Override
        public MultiDataSet next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            MultiDataSet batch = ready;
            ready = null;
            return batch;
        }

        /** Starts decoding the next block; false when there is none (or its samples could not be found). */
        private boolean submitNext() {
            if (!blocks.hasNext()) {
                return false;
            }
            SampleBlock block = blocks.next();
            try {
                pendingSamples = images.samples(block);
            } catch (IOException e) {
                // the IDX file itself is missing or unreadable on this executor
                bad.add(images.bad((long) block.number() * block.size(), List.of(), e));
                ended = true;
                return false;
            }
            pendingBlock = block;
            pending = loader.submit(pendingSamples, block.indices(), block.epoch());
            return true;
        }

        private BadSample badSample(IOException failure) {
            return images.bad((long) pendingBlock.number() * pendingBlock.size(), pendingSamples, failure);
        }

        private boolean end() {
            ended = true;
            pending = null;
            loader.close();
            return false;
        }
    }
}
