package org.repzoo.training.iterator;

import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import org.datavec.api.conf.Configuration;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.records.metadata.RecordMetaDataIndex;
import org.datavec.api.records.reader.BaseRecordReader;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.IntWritable;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.datavec.api.writable.batch.NDArrayRecordBatch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.repzoo.training.data.BatchLoader;

/**
 * The same examples as {@link ImageDataSetIterator}, as a DataVec {@code RecordReader}, for code built on DataVec's
 * {@code RecordReaderDataSetIterator(reader, batch, 1, classes)}. Each record is what DataVec's own
 * {@code ImageRecordReader} gives: {@code [NDArrayWritable image [1, channels, crop, crop], IntWritable label]}, the
 * image already preprocessed (evaluation view or training augmentation, normalised). Asked for a batch
 * ({@link #batchesSupported()}), it answers with an {@link NDArrayRecordBatch} of the whole batch and a column of
 * label indices, built on the worker threads; one record at a time, it builds blocks of records ahead the same way.
 * Epochs follow {@link ImageDataSetIterator}'s rule: {@link #reset()} starts the next epoch once this one has been read
 * to its end, and rewinds this one before that. The rewind matters here: {@code RecordReaderDataSetIterator} reads
 * the first record to count its columns and then resets the reader, which must not cost the first epoch.
 *
 * <p>Where DataVec's interface does not fit:
 * <ul>
 *   <li>{@code initialize(InputSplit)}: a DataVec split is a list of files whose labels come from their paths; a RepZoo
 *       dataset is already listed (class folders in torchvision's order or a class file's, the ILSVRC ground truth,
 *       images inside IDX files), so the reader is made over the dataset and refuses a split.</li>
 *   <li>{@code record(URI, DataInputStream)}: a stream carries no label; RepZoo's come from the dataset's listing.</li>
 *   <li>Batches: a record reader has no batch, so {@code RecordReaderDataSetIterator} ends an epoch with a short batch
 *       where the training iterator (and {@code repzoo train}) drops it; the batches are the same whenever the
 *       batch size divides the dataset.</li>
 *   <li>{@code loadFromMetaData}: a record is rebuilt in the current epoch's augmentation.</li>
 * </ul>
 */
public final class PreparedImageRecordReader extends BaseRecordReader {

    private static final long serialVersionUID = 1L;

    private final transient Examples examples;
    private final int block;
    private transient Configuration configuration;
    private int epoch;
    private int[] order;
    private int position;
    private transient BatchLoader.Batch buffered;
    private int[] bufferedRows = new int[0];
    private int bufferedNext;

    /** @param block records built together when they are read one at a time */
    PreparedImageRecordReader(Examples examples, int block) {
        this.examples = examples;
        this.block = block;
        startEpoch(0);
    }

    /** The epoch the records come from (0 first). */
    public int epoch() {
        return epoch;
    }

    /** Starts epoch {@code epoch} from its first record. */
    public void setEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be at least 0, got " + epoch);
        }
        startEpoch(epoch);
    }

    /** Refused: the reader is made over a RepZoo dataset (see the class comment). */
    @Override
    public void initialize(InputSplit split) {
        throw new UnsupportedOperationException("this reader reads the RepZoo dataset it was made with; open another "
                + "dataset with Datasets.open and make a reader over it");
    }

    /** Refused, as {@link #initialize(InputSplit)}. */
    @Override
    public void initialize(Configuration conf, InputSplit split) {
        initialize(split);
    }

    @Override
    public boolean batchesSupported() {
        return true;
    }

    /**
     * Up to {@code num} records: an {@link NDArrayRecordBatch} of features {@code [n, channels, crop, crop]} and label
     * indices {@code [n, 1]}, which {@code RecordReaderDataSetIterator} makes one-hot as it does per record.
     */
    @Override
    public List<List<Writable>> next(int num) {
        if (num < 1) {
            throw new IllegalArgumentException("a batch holds at least one record, got " + num);
        }
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " has no more records; reset() starts the next");
        }
        if (bufferedNext < bufferedRows.length) {
            // records already built one at a time come first, in order
            List<List<Writable>> records = new ArrayList<>();
            while (records.size() < num && hasNext()) {
                records.add(next());
            }
            return records;
        }
        BatchLoader.Batch batch = load(take(num));
        INDArray labels = Nd4j.createFromArray(batch.labelIndices()).castTo(DataType.FLOAT)
                .reshape(batch.labelIndices().length, 1);
        return new NDArrayRecordBatch(batch.features(), labels);
    }

    @Override
    public List<Writable> next() {
        return nextRecord().getRecord();
    }

    @Override
    public Record nextRecord() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " has no more records; reset() starts the next");
        }
        if (bufferedNext == bufferedRows.length) {
            bufferedRows = take(block);
            bufferedNext = 0;
            buffered = load(bufferedRows);
        }
        int row = bufferedNext++;
        Record record = record(buffered, row, bufferedRows[row]);
        invokeListeners(record.getRecord());
        return record;
    }

    @Override
    public boolean hasNext() {
        return bufferedNext < bufferedRows.length || position < order.length;
    }

    /** The class names, in label order. */
    @Override
    public List<String> getLabels() {
        return examples.classNames();
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

    /** Refused: see the class comment. */
    @Override
    public List<Writable> record(URI uri, DataInputStream dataInputStream) {
        throw new UnsupportedOperationException("a RepZoo record's label comes from its dataset's listing, which a "
                + "stream does not carry");
    }

    @Override
    public Record loadFromMetaData(RecordMetaData recordMetaData) throws IOException {
        return loadFromMetaData(List.of(recordMetaData)).get(0);
    }

    @Override
    public List<Record> loadFromMetaData(List<RecordMetaData> recordMetaDatas) throws IOException {
        int[] indices = new int[recordMetaDatas.size()];
        for (int i = 0; i < indices.length; i++) {
            if (!(recordMetaDatas.get(i) instanceof RecordMetaDataIndex index)
                    || index.getReaderClass() != PreparedImageRecordReader.class) {
                throw new IllegalArgumentException("not a record of this reader: " + recordMetaDatas.get(i));
            }
            indices[i] = Math.toIntExact(index.getIndex());
        }
        BatchLoader.Batch batch = BatchLoader.await(examples.submit(indices, epoch));
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < indices.length; i++) {
            records.add(record(batch, i, indices[i]));
        }
        return records;
    }

    @Override
    public void setConf(Configuration conf) {
        this.configuration = conf;
    }

    @Override
    public Configuration getConf() {
        return configuration;
    }

    @Override
    public void close() {
        examples.close();
    }

    private Record record(BatchLoader.Batch batch, int row, int index) {
        INDArray image = batch.features().get(NDArrayIndex.interval(row, row + 1), NDArrayIndex.all(),
                NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
        List<Writable> values = List.of(new NDArrayWritable(image), new IntWritable(batch.labelIndices()[row]));
        URI location = new File(examples.sample(index).path()).toURI();
        return new org.datavec.api.records.impl.Record(values,
                new RecordMetaDataIndex(index, location, PreparedImageRecordReader.class));
    }

    private void startEpoch(int newEpoch) {
        epoch = newEpoch;
        order = examples.order(newEpoch);
        position = 0;
        buffered = null;
        bufferedRows = new int[0];
        bufferedNext = 0;
    }

    private int[] take(int count) {
        int n = Math.min(count, order.length - position);
        int[] rows = Arrays.copyOfRange(order, position, position + n);
        position += n;
        return rows;
    }

    private BatchLoader.Batch load(int[] rows) {
        try {
            return BatchLoader.await(examples.submit(rows, epoch));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
