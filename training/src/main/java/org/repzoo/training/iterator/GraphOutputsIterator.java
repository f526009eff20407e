package org.repzoo.training.iterator;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.repzoo.training.batch.OutputBatches;

/**
 * An {@link ImageDataSetIterator}'s batches with one label array per network output, for graphs with auxiliary
 * classifiers (GoogLeNet, Inception v3): DL4J trains such a graph only from a {@code MultiDataSet} that labels every
 * output. Every head gets the same labels, as {@code repzoo train} gives them ({@link OutputBatches}); the recipe's
 * auxiliary loss weight decides what each head counts. Epochs, prefetch and closing are the wrapped iterator's.
 */
public final class GraphOutputsIterator implements MultiDataSetIterator, AutoCloseable {

    private static final long serialVersionUID = 1L;

    private final ImageDataSetIterator images;
    private final int outputs;
    private transient MultiDataSetPreProcessor preProcessor;

    GraphOutputsIterator(ImageDataSetIterator images, int outputs) {
        if (outputs < 1) {
            throw new IllegalArgumentException("a graph has at least one output, got " + outputs);
        }
        this.images = images;
        this.outputs = outputs;
    }

    /** The wrapped iterator (its epoch, batches per epoch, class names). */
    public ImageDataSetIterator images() {
        return images;
    }

    public int outputs() {
        return outputs;
    }

    @Override
    public boolean hasNext() {
        return images.hasNext();
    }

    @Override
    public MultiDataSet next() {
        return labelled(images.next());
    }

    @Override
    public MultiDataSet next(int num) {
        return labelled(images.next(num));
    }

    private MultiDataSet labelled(DataSet batch) {
        MultiDataSet multi = OutputBatches.of(outputs, batch.getFeatures(), batch.getLabels());
        if (preProcessor != null) {
            preProcessor.preProcess(multi);
        }
        return multi;
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    /** False for the reason {@link ImageDataSetIterator#asyncSupported()} gives. */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public void reset() {
        images.reset();
    }

    @Override
    public void close() {
        images.close();
    }
}
