package org.repzoo.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.repzoo.evaluation.data.BadInput;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.Sample;
import org.repzoo.evaluation.image.ImageDecoder;
import org.repzoo.evaluation.image.ImageFileException;

/**
 * Where executors find a dataset's images: each image file at the path the driver listed (resolved against the
 * driver's working folder; on a cluster a shared or replicated file system), or an IDX file's images by number
 * (the file opened once per executor JVM, {@link ExecutorCache#idx}). Executors never list the dataset: the driver
 * sends each task its samples ({@link SampleBlock}), so a file missing on one machine is reported with its path
 * instead of shifting every later image's label, and the ILSVRC ground truth or a class file need not be there.
 *
 * @param idxFile    the IDX images file (absolute), or null for image files
 * @param base       the driver's working folder, against which relative paths are read
 * @param classNames the dataset's classes, in index order
 */
record ShippedImages(String idxFile, String base, ArrayList<String> classNames) implements Serializable {

    static ShippedImages of(Dataset dataset) {
        String idx = "idx".equals(dataset.kind()) ? Path.of(dataset.location()).toAbsolutePath().toString() : null;
        return new ShippedImages(idx, Path.of("").toAbsolutePath().toString(),
                new ArrayList<>(dataset.classNames()));
    }

    /** The samples {@code indices} of {@code dataset} (the one this was made of) as a block an executor can read. */
    SampleBlock block(Dataset dataset, int epoch, int number, int[] indices) {
        if (idxFile != null) {
            return new SampleBlock(epoch, number, indices, null, null);
        }
        String[] paths = new String[indices.length];
        int[] labels = new int[indices.length];
        List<Sample> samples = dataset.samples();
        for (int i = 0; i < indices.length; i++) {
            Sample sample = samples.get(indices[i]);
            paths[i] = sample.path();
            labels[i] = sample.label();
        }
        return new SampleBlock(epoch, number, indices, paths, labels);
    }

    /** The block's samples, to decode on this executor. */
    List<Sample> samples(SampleBlock block) throws IOException {
        List<Sample> samples = new ArrayList<>(block.size());
        if (idxFile != null) {
            List<Sample> all = ExecutorCache.idx(idxFile).samples();
            for (int index : block.indices()) {
                samples.add(all.get(index));
            }
            return samples;
        }
        Path folder = Path.of(base);
        for (int i = 0; i < block.size(); i++) {
            Path file = folder.resolve(block.paths()[i]);
            samples.add(new Sample(block.paths()[i], block.labels()[i], () -> ImageDecoder.read(file)));
        }
        return samples;
    }

    /**
     * The sample of {@code samples} (read from a block whose first sample comes at {@code position} in the data
     * order) that {@code failure} is about, as the executor reports it: its listed path and position, or the file that
     * failed (an IDX file) at the block's position.
     */
    BadSample bad(long position, List<Sample> samples, IOException failure) {
        if (failure instanceof ImageFileException image) {
            Path folder = Path.of(base);
            for (int i = 0; i < samples.size(); i++) {
                if (idxFile == null && folder.resolve(samples.get(i).path()).equals(image.file())) {
                    return BadSample.of(position + i, samples.get(i).path(), failure);
                }
            }
            return BadSample.of(position, image.file().toString(), failure);
        }
        return BadSample.of(position, idxFile != null ? idxFile : samples.isEmpty() ? base : samples.get(0).path(),
                failure);
    }

    /** The block as a dataset of its own, for the evaluation engine on an executor. */
    Dataset dataset(SampleBlock block) throws IOException {
        return new Shipped(idxFile != null ? "idx" : "files", idxFile != null ? idxFile : base, classNames,
                samples(block));
    }

    /** A block's samples with the dataset's classes; listing problems stay with the driver. */
    private record Shipped(String kind, String location, List<String> classNames, List<Sample> samples)
            implements Dataset {

        @Override
        public List<BadInput> problems() {
            return List.of();
        }
    }
}
