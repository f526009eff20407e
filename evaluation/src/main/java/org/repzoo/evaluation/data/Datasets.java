package org.repzoo.evaluation.data;

import java.io.IOException;
import java.nio.file.Path;
import org.repzoo.zoo.core.SettingException;

/** Opens the dataset {@code repzoo eval --data} names, telling the three kinds apart. */
public final class Datasets {

    /**
     * Where the data is and how to read it.
     *
     * @param data        a class-folder tree, an ILSVRC validation folder (with {@code groundTruth}), or IDX files
     * @param groundTruth the ILSVRC ground-truth file, or null
     * @param classFile   class order (folder names or WordNet ids, first word per line), or null
     * @param synsets     the devkit's WordNet ids in ILSVRC2012_ID order, or null
     * @param split       IDX split when {@code data} is a folder: {@code test} or {@code train}
     */
    public record Source(Path data, Path groundTruth, Path classFile, Path synsets, String split) {
    }

    private Datasets() {
    }

    public static Dataset open(Source source) throws IOException {
        if (source.groundTruth() != null) {
            return IlsvrcValidation.open(source.data(), source.groundTruth(), source.classFile(), source.synsets());
        }
        if (source.synsets() != null) {
            throw new SettingException("synsets", "goes with the devkit's ground truth, and none was given");
        }
        if (IdxDataset.looksLikeIdx(source.data())) {
            return IdxDataset.open(source.data(), source.split() == null ? "test" : source.split());
        }
        return ImageFolder.open(source.data(), source.classFile());
    }
}
