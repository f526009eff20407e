package org.repzoo.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.training.checkpoint.DataOrder;
import org.repzoo.training.recipe.Augmentation;

/**
 * A training set's epochs by reference: for each epoch the run's data order ({@link DataOrder}, from the seed and the
 * epoch alone), cut into minibatches of the recipe's size (a last partial one is dropped, as one JVM drops it), each
 * a {@link SampleBlock}; Spark slices the list into contiguous partitions, and executors build the minibatches
 * ({@link MinibatchLoader}). What the driver holds per epoch is the permutation and the blocks (4 bytes per IDX
 * image, the listed path per image file), never a decoded image.
 */
final class ReferenceData implements SparkTraining.EpochData {

    private final JavaSparkContext spark;
    private final Dataset train;
    private final ShippedImages images;
    private final ShippedPreset preset;
    private final Augmentation augmentation;
    private final int batchSize;
    private final long seed;
    private final int workers;
    private final int outputs;
    private final int partitions;
    private final LongAccumulator imagesRead;
    private final Map<Integer, Long> shippedBytes = new ConcurrentHashMap<>();

    /**
     * @param workers    input threads per executor task
     * @param outputs    the network's outputs (one label array each)
     * @param partitions Spark partitions of each epoch's minibatches
     */
    ReferenceData(JavaSparkContext spark, Dataset train, ShippedPreset preset, Augmentation augmentation,
                  int batchSize, long seed, int workers, int outputs, int partitions) {
        this.spark = spark;
        this.train = train;
        this.images = ShippedImages.of(train);
        this.preset = preset;
        this.augmentation = augmentation;
        this.batchSize = batchSize;
        this.seed = seed;
        this.workers = workers;
        this.outputs = outputs;
        this.partitions = partitions;
        this.imagesRead = spark.sc().longAccumulator("repzoo images read");
    }

    @Override
    public SparkTraining.Epoch<SampleBlock> epoch(int epoch) {
        List<SampleBlock> blocks = blocks(epoch);
        shippedBytes.put(epoch, SparkTraffic.serializedSize(blocks));
        CollectionAccumulator<BadSample> bad = spark.sc().collectionAccumulator("repzoo bad samples");
        MinibatchLoader loader = new MinibatchLoader(images, preset, augmentation, seed, workers, outputs, bad,
                imagesRead);
        return SparkTraining.Epoch.onDriver(spark, blocks, partitions, loader,
                () -> BadSample.stopAtFirst(bad.value()));
    }

    /** The epoch's minibatches as sample blocks, in the epoch's order. */
    List<SampleBlock> blocks(int epoch) {
        int[] order = DataOrder.permutation(seed, epoch, train.samples().size());
        List<SampleBlock> blocks = new ArrayList<>(order.length / batchSize);
        for (int b = 0; b + batchSize <= order.length; b += batchSize) {
            blocks.add(images.block(train, epoch, b / batchSize, Arrays.copyOfRange(order, b, b + batchSize)));
        }
        return blocks;
    }

    /** What executors count the images they read into. */
    LongAccumulator imagesRead() {
        return imagesRead;
    }

    /** The serialized size of the epoch's sample lists, as Spark's tasks carry them. */
    long shippedBytes(int epoch) {
        return shippedBytes.getOrDefault(epoch, 0L);
    }
}
