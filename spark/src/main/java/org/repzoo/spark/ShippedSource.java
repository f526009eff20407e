package org.repzoo.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.Datasets;

/**
 * Where the dataset is, as executors open it: the same paths the driver opened (a shared or replicated file system on
 * a cluster), so that an executor lists the same samples in the same order and reads only its partition's files.
 */
record ShippedSource(String data, String groundTruth, String classFile, String synsets, String split)
        implements Serializable {

    static ShippedSource of(Datasets.Source source) {
        return new ShippedSource(text(source.data()), text(source.groundTruth()), text(source.classFile()),
                text(source.synsets()), source.split());
    }

    Dataset open() throws IOException {
        return Datasets.open(new Datasets.Source(path(data), path(groundTruth), path(classFile), path(synsets), split));
    }

    private static String text(Path path) {
        return path == null ? null : path.toAbsolutePath().toString();
    }

    private static Path path(String text) {
        return text == null ? null : Path.of(text);
    }
}
