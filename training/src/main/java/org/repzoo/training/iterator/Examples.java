package org.repzoo.training.iterator;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.repzoo.evaluation.data.BadInput;
import org.repzoo.evaluation.data.BadInputException;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.Sample;
import org.repzoo.training.checkpoint.DataOrder;
import org.repzoo.training.data.Augmenter;
import org.repzoo.training.data.BatchLoader;
import org.repzoo.zoo.core.EvalPreset;

/**
 * The examples of one dataset as RepZoo visits them, shared by the iterator and the record reader so that both are
 * the one pipeline {@link BatchLoader} is: the evaluation view in the dataset's order, or the recipe's augmentation
 * in {@link DataOrder}'s shuffle of (seed, epoch), each example's randomness drawn from (seed, epoch, index).
 */
final class Examples implements AutoCloseable {

    private final Dataset dataset;
    private final List<Sample> samples;
    private final EvalPreset preset;
    private final BatchLoader loader;
    private final boolean shuffled;
    private final long seed;

    private Examples(Dataset dataset, EvalPreset preset, Augmenter augmenter, long seed, int workers)
            throws BadInputException {
        List<BadInput> problems = dataset.problems();
        if (!problems.isEmpty()) {
            // As evaluation and training stop at a bad dataset: an iterator cannot report and skip.
            throw new BadInputException(problems.get(0));
        }
        this.dataset = dataset;
        this.samples = dataset.samples();
        this.preset = preset;
        this.shuffled = augmenter != null;
        this.seed = seed;
        this.loader = new BatchLoader(dataset, augmenter, preset, seed, workers);
    }

    static Examples evaluation(Dataset dataset, EvalPreset preset, int workers) throws BadInputException {
        return new Examples(dataset, preset, null, 0, workers);
    }

    static Examples training(Dataset dataset, Augmenter augmenter, EvalPreset preset, long seed, int workers)
            throws BadInputException {
        return new Examples(dataset, preset, augmenter, seed, workers);
    }

    int size() {
        return samples.size();
    }

    List<String> classNames() {
        return dataset.classNames();
    }

    EvalPreset preset() {
        return preset;
    }

    boolean shuffled() {
        return shuffled;
    }

    Sample sample(int index) {
        return samples.get(index);
    }

    /** The dataset indices in the order epoch {@code epoch} visits them. */
    int[] order(int epoch) {
        if (shuffled) {
            return DataOrder.permutation(seed, epoch, samples.size());
        }
        int[] order = new int[samples.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        return order;
    }

    CompletableFuture<BatchLoader.Batch> submit(int[] indices, int epoch) {
        return loader.submit(indices, epoch);
    }

    @Override
    public void close() {
        loader.close();
    }
}
