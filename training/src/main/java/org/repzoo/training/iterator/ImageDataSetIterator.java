package org.repzoo.training.iterator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.repzoo.training.data.BatchLoader;
import org.repzoo.zoo.core.SettingException;

/**
 * A dataset's batches for DL4J ({@code graph.fit}, {@code graph.evaluate}): features {@code [n, channels, crop, crop]}
 * and one-hot labels {@code [n, classes]}, one column per class of the dataset's class list (a model with more
 * classes than the folders name, such as an ImageNet model on a few class folders, needs the class file that lists
 * them all). Made by {@link RepZooIterators}.
 *
 * <p>Epochs: {@link #reset()} starts the next epoch (its own shuffle and augmentation) once the current one has been
 * read to its end, and rewinds to the start of the current one before that. DL4J's {@code fit(iterator, epochs)}
 * resets an exhausted iterator before each epoch after the first, so it sees epochs 0, 1, 2... as {@code repzoo train}
 * does; a reset before any use, or DataVec's habit of reading a record and rewinding, skips nothing. {@link #setEpoch}
 * starts any epoch (a run continued from its next epoch). The evaluation view is the same every epoch.
 *
 * <p>The next batch is built on the worker threads while the caller uses the current one, so the iterator says
 * {@link #asyncSupported()} {@code false}: DL4J's own prefetch thread would add nothing. {@link #close()} stops the
 * workers (daemon threads, so an iterator left open does not keep the JVM alive).
 */
public final class ImageDataSetIterator implements DataSetIterator, AutoCloseable {

    private static final long serialVersionUID = 1L;

    private final transient Examples examples;
    private final int batch;
    private final boolean dropLast;
    private transient DataSetPreProcessor preProcessor;
    private int epoch;
    private int[] order;
    /** Position in {@link #order} of the first example not yet submitted for loading. */
    private int position;
    private transient CompletableFuture<BatchLoader.Batch> pending;

    ImageDataSetIterator(Examples examples, int batch, boolean dropLast) {
        if (batch < 1) {
            throw new SettingException("batch", "must be at least 1, got " + batch);
        }
        if (dropLast && examples.size() < batch) {
            throw new IllegalArgumentException("the training set has " + examples.size()
                    + " images, fewer than one batch of " + batch);
        }
        this.examples = examples;
        this.batch = batch;
        this.dropLast = dropLast;
        startEpoch(0);
    }

    /** The epoch the batches come from (0 first). */
    public int epoch() {
        return epoch;
    }

    /** Starts epoch {@code epoch} from its first batch. */
    public void setEpoch(int epoch) {
        if (epoch < 0) {
            throw new SettingException("epoch", "must be at least 0, got " + epoch);
        }
        startEpoch(epoch);
    }

    /**
     * Batches in an epoch: training drops the last partial batch, as {@code repzoo train} does (batch-norm statistics
     * and the step count stay those of full batches); evaluation keeps it. A recipe's schedule counts these.
     */
    public int batchesPerEpoch() {
        return dropLast ? examples.size() / batch : (examples.size() + batch - 1) / batch;
    }

    /** Examples in the dataset. */
    public int size() {
        return examples.size();
    }

    @Override
    public boolean hasNext() {
        return pending != null || rowsLeft();
    }

    @Override
    public DataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " has no more batches; reset() starts the next");
        }
        CompletableFuture<BatchLoader.Batch> current = pending != null ? pending : submitNext();
        pending = rowsLeft() ? submitNext() : null;
        BatchLoader.Batch loaded;
        try {
            loaded = BatchLoader.await(current);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DataSet dataSet = new DataSet(loaded.features(), loaded.labels());
        if (preProcessor != null) {
            preProcessor.preProcess(dataSet);
        }
        return dataSet;
    }

    /** Only batches of the size the iterator was made with: the next ones are already being built. */
    @Override
    public DataSet next(int num) {
        if (num != batch) {
            throw new UnsupportedOperationException("this iterator builds batches of " + batch + " ahead of time; "
                    + "make one with batch " + num);
        }
        return next();
    }

    /** Starts the next epoch when this one is read to its end, else this one again; see the class comment. */
    @Override
    public void reset() {
        startEpoch(hasNext() ? epoch : epoch + 1);
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public int inputColumns() {
        int crop = examples.preset().cropSize();
        return examples.preset().channels() * crop * crop;
    }

    @Override
    public int totalOutcomes() {
        return examples.classNames().size();
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    /** The class names, in label-column order. */
    @Override
    public List<String> getLabels() {
        return examples.classNames();
    }

    @Override
    public void close() {
        pending = null;
        examples.close();
    }

    private void startEpoch(int newEpoch) {
        epoch = newEpoch;
        order = examples.order(newEpoch);
        position = 0;
        pending = null; // a batch built for the epoch left behind is dropped
    }

    private boolean rowsLeft() {
        return order.length - position >= (dropLast ? batch : 1);
    }

    private CompletableFuture<BatchLoader.Batch> submitNext() {
        int count = Math.min(batch, order.length - position);
        int[] rows = Arrays.copyOfRange(order, position, position + count);
        position += count;
        return examples.submit(rows, epoch);
    }
}
