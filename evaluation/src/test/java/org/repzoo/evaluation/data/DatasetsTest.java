package org.repzoo.evaluation.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repzoo.evaluation.image.RgbImage;

/** The three dataset kinds: order, labels, and each problem reported with its path. */
class DatasetsTest {

    private static void touch(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[] {1});
    }

    private static List<String> names(Dataset dataset, Path root) {
        return dataset.samples().stream().map(s -> root.relativize(Path.of(s.path())) + "=" + s.label()).toList();
    }

    /** torchvision's ImageFolder: sorted classes, sorted(os.walk) files, IMG_EXTENSIONS case-insensitively. */
    @Test
    void imageFolderListsAsTorchvision(@TempDir Path root) throws IOException {
        for (String file : List.of("dog/b.JPG", "dog/a.png", "dog/sub/c.jpeg", "dog/notes.txt", "cat/z.bmp",
                "cat/A.webp", "ant/x.tif", "cat/.hidden.png")) {
            touch(root.resolve(file));
        }
        Dataset dataset = Datasets.open(new Datasets.Source(root, null, null, null, null));
        assertEquals(List.of("ant", "cat", "dog"), dataset.classNames());
        assertEquals(List.of("ant/x.tif=0", "cat/.hidden.png=1", "cat/A.webp=1", "cat/z.bmp=1", "dog/a.png=2",
                "dog/b.JPG=2", "dog/sub/c.jpeg=2"), names(dataset, root));
        assertEquals(List.of(), dataset.problems());
    }

    @Test
    void emptyClassFolderAndUnlistedFolderAreProblems(@TempDir Path root) throws IOException {
        touch(root.resolve("cat/a.png"));
        touch(root.resolve("dog/readme.txt"));
        touch(root.resolve("emu/e.png"));
        Path classes = root.resolve("classes.txt");
        Files.writeString(classes, "# index order\ndog  the dog class\ncat\n");
        Dataset plain = ImageFolder.open(root, null);
        assertEquals(List.of(new BadInput(root.resolve("dog").toString(), plain.problems().get(0).problem())),
                plain.problems());
        assertTrue(plain.problems().get(0).problem().startsWith("class folder holds no image files"));
        Dataset ordered = ImageFolder.open(root, classes);
        assertEquals(List.of("dog", "cat"), ordered.classNames());
        assertEquals(List.of("cat/a.png=1"), names(ordered, root));
        assertEquals(2, ordered.problems().size());
        assertEquals(root.resolve("emu").toString(), ordered.problems().get(1).path());
        assertTrue(ordered.problems().get(1).problem().contains("not a class of"));
    }

    /** The three ground-truth forms give the same labels: index = rank of the WordNet id among the sorted ids. */
    @Test
    void ilsvrcValidationGroundTruthForms(@TempDir Path root) throws IOException {
        Path val = root.resolve("val");
        for (int i = 1; i <= 3; i++) {
            touch(val.resolve(String.format("ILSVRC2012_val_%08d.JPEG", i)));
        }
        Path csv = root.resolve("LOC_val_solution.csv");
        Files.writeString(csv, "ImageId,PredictionString\nILSVRC2012_val_00000002,n02000000 1 2 3 4 n02000000 5 6 7 8\n"
                + "ILSVRC2012_val_00000001,n03000000 1 2 3 4\nILSVRC2012_val_00000003,n01000000 9 9 9 9\n");
        Path wnids = root.resolve("synset_labels.txt");
        Files.writeString(wnids, "n03000000\nn02000000\nn01000000\n");
        Path devkit = root.resolve("ILSVRC2012_validation_ground_truth.txt");
        Files.writeString(devkit, "1\n3\n2\n");
        Path synsets = root.resolve("devkit_synsets.txt");
        Files.writeString(synsets, "n03000000\nn01000000\nn02000000\n"); // meta.mat order: not sorted
        for (Dataset dataset : List.of(IlsvrcValidation.open(val, csv, null, null),
                IlsvrcValidation.open(val, wnids, null, null), IlsvrcValidation.open(val, devkit, null, synsets))) {
            assertEquals(List.of("n01000000", "n02000000", "n03000000"), dataset.classNames());
            assertEquals(List.of("ILSVRC2012_val_00000001.JPEG=2", "ILSVRC2012_val_00000002.JPEG=1",
                    "ILSVRC2012_val_00000003.JPEG=0"), names(dataset, val));
            assertEquals(List.of(), dataset.problems());
        }
        var error = assertThrows(IllegalArgumentException.class, () -> IlsvrcValidation.open(val, devkit, null, null));
        assertTrue(error.getMessage().contains("meta.mat's order"), error.getMessage());
    }

    @Test
    void labelFileDisagreeingWithTheFolderIsReported(@TempDir Path root) throws IOException {
        Path val = root.resolve("val");
        touch(val.resolve("ILSVRC2012_val_00000001.JPEG"));
        touch(val.resolve("ILSVRC2012_val_00000009.JPEG"));
        Path wnids = root.resolve("labels.txt");
        Files.writeString(wnids, "n01000000\nn02000000\n");
        Dataset dataset = IlsvrcValidation.open(val, wnids, null, null);
        assertEquals(1, dataset.samples().size());
        assertEquals(List.of(
                new BadInput(val.resolve("ILSVRC2012_val_00000009.JPEG").toString(),
                        "no label for ILSVRC2012_val_00000009 in " + wnids),
                new BadInput(val.resolve("ILSVRC2012_val_00000002.JPEG").toString(),
                        "labelled in " + wnids + " but no such image in the folder")), dataset.problems());
        Files.writeString(wnids, "n01000000\nbanana\n");
        var error = assertThrows(BadInputException.class, () -> IlsvrcValidation.open(val, wnids, null, null));
        assertEquals(wnids + ":2", error.input().path());
    }

    private static byte[] idx(int magic, int[] dims, byte[] data, boolean gzip) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream raw = gzip ? new GZIPOutputStream(bytes) : bytes;
             DataOutputStream out = new DataOutputStream(raw)) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        }
        return bytes.toByteArray();
    }

    /** LeCun's IDX format (big-endian header, magic 0x803/0x801), gzipped as Debian ships it; grey replicated. */
    @Test
    void idxFilesGzippedOrPlain(@TempDir Path root) throws IOException {
        Path fashion = root.resolve("fashion-mnist");
        Files.createDirectories(fashion);
        byte[] pixels = new byte[3 * 2 * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 14);
        }
        Files.write(fashion.resolve("t10k-images-idx3-ubyte.gz"), idx(0x803, new int[] {3, 2, 3}, pixels, true));
        Files.write(fashion.resolve("t10k-labels-idx1-ubyte.gz"), idx(0x801, new int[] {3}, new byte[] {9, 0, 4},
                true));
        Dataset dataset = Datasets.open(new Datasets.Source(fashion, null, null, null, null));
        assertEquals("idx", dataset.kind());
        // Three labels are not Fashion-MNIST's: a folder's name does not make it so, the labels are named by number.
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), dataset.classNames());
        assertEquals(List.of(9, 0, 4), dataset.samples().stream().map(Sample::label).toList());
        RgbImage second = dataset.samples().get(1).image().read();
        assertEquals(3, second.width());
        assertEquals(2, second.height());
        for (int i = 0; i < 6; i++) {
            int grey = (6 + i) * 14;
            assertArrayEquals(new int[] {grey, grey, grey}, new int[] {second.sample(i % 3, i / 3, 0),
                second.sample(i % 3, i / 3, 1), second.sample(i % 3, i / 3, 2)});
        }
        Path digits = root.resolve("mnist");
        Files.createDirectories(digits);
        Files.write(digits.resolve("t10k-images-idx3-ubyte"), idx(0x803, new int[] {3, 2, 3}, pixels, false));
        Files.write(digits.resolve("t10k-labels-idx1-ubyte"), idx(0x801, new int[] {2}, new byte[] {1, 2}, false));
        var error = assertThrows(BadInputException.class, () -> IdxDataset.open(digits, "test"));
        assertEquals(digits.resolve("t10k-labels-idx1-ubyte").toString(), error.input().path());
        assertTrue(error.getMessage().contains("2 labels for the 3 images"), error.getMessage());
        // No evaluation option skips a bad dataset file, so the command line must not suggest skipping.
        assertFalse(error.skippable(), error.getMessage());
        Files.write(digits.resolve("t10k-labels-idx1-ubyte"), idx(0x803, new int[] {3}, new byte[] {1, 2, 3}, false));
        assertTrue(assertThrows(BadInputException.class, () -> IdxDataset.open(digits, "test")).getMessage()
                .contains("not an IDX labels file"));
    }

    /**
     * An uncompressed file's pixels stay on disk: the images equal the gzipped file's, each is read when asked for
     * (pixels rewritten after listing are what the sample returns), and a file cut short is refused at listing.
     */
    @Test
    void uncompressedIdxIsReadImageByImage(@TempDir Path root) throws IOException {
        byte[] pixels = new byte[4 * 2 * 2];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 15);
        }
        Path zipped = root.resolve("zipped");
        Path plain = root.resolve("plain");
        Files.createDirectories(zipped);
        Files.createDirectories(plain);
        Files.write(zipped.resolve("train-images-idx3-ubyte.gz"), idx(0x803, new int[] {4, 2, 2}, pixels, true));
        Files.write(zipped.resolve("train-labels-idx1-ubyte.gz"), idx(0x801, new int[] {4}, new byte[] {1, 0, 3, 2},
                true));
        Path images = plain.resolve("train-images-idx3-ubyte");
        Files.write(images, idx(0x803, new int[] {4, 2, 2}, pixels, false));
        Files.write(plain.resolve("train-labels-idx1-ubyte"), idx(0x801, new int[] {4}, new byte[] {1, 0, 3, 2},
                false));
        Dataset fromZip = IdxDataset.open(zipped, "train");
        Dataset fromDisk = IdxDataset.open(plain, "train");
        for (int i = 0; i < 4; i++) {
            assertEquals(fromZip.samples().get(i).label(), fromDisk.samples().get(i).label());
            assertArrayEquals(fromZip.samples().get(i).image().read().pixels(),
                    fromDisk.samples().get(i).image().read().pixels());
        }
        assertEquals("train-images-idx3-ubyte#3", fromDisk.samples().get(3).path());
        byte[] rewritten = Files.readAllBytes(images);
        rewritten[16 + 2 * 4] = 7; // first pixel of image 2
        Files.write(images, rewritten);
        assertEquals(7, fromDisk.samples().get(2).image().read().sample(0, 0, 0));
        Files.write(images, java.util.Arrays.copyOf(rewritten, rewritten.length - 1));
        assertTrue(assertThrows(BadInputException.class, () -> IdxDataset.open(plain, "train")).getMessage()
                .endsWith("truncated IDX file"));
    }

    /**
     * Class names of IDX data: Fashion-MNIST recognised by its own test labels (the real file, committed), whatever
     * the folder is called; a classes.txt beside the images wins; anything else is named by label number.
     */
    @Test
    void idxClassNamesComeFromTheLabelsOrAClassesFile(@TempDir Path root) throws IOException {
        Path renamed = root.resolve("data");
        Files.createDirectories(renamed);
        Files.copy(Path.of(resource("/fashion-mnist-labels/t10k-labels-idx1-ubyte.gz")),
                renamed.resolve("t10k-labels-idx1-ubyte.gz"));
        Files.write(renamed.resolve("t10k-images-idx3-ubyte.gz"),
                idx(0x803, new int[] {10_000, 1, 1}, new byte[10_000], true));
        assertEquals(IdxDataset.FASHION_CLASSES, IdxDataset.open(renamed, "test").classNames());

        Path digits = root.resolve("fashion-experiments");
        Files.createDirectories(digits);
        Files.write(digits.resolve("t10k-images-idx3-ubyte"), idx(0x803, new int[] {2, 1, 1}, new byte[2], false));
        Files.write(digits.resolve("t10k-labels-idx1-ubyte"), idx(0x801, new int[] {2}, new byte[] {3, 11}, false));
        assertEquals(12, IdxDataset.open(digits, "test").classNames().size());
        assertEquals("11", IdxDataset.open(digits, "test").classNames().get(11));

        Files.writeString(digits.resolve(IdxDataset.CLASS_NAMES_FILE), "zero\none\ntwo\nthree\n\n");
        var error = assertThrows(BadInputException.class, () -> IdxDataset.open(digits, "test"));
        assertTrue(error.getMessage().contains("label 11 outside 0..3"), error.getMessage());
        Files.write(digits.resolve("t10k-labels-idx1-ubyte"), idx(0x801, new int[] {2}, new byte[] {3, 1}, false));
        assertEquals(List.of("zero", "one", "two", "three"), IdxDataset.open(digits, "test").classNames());
    }

    private static String resource(String name) {
        try {
            return Path.of(DatasetsTest.class.getResource(name).toURI()).toString();
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new IllegalStateException(name + " missing from the test resources", e);
        }
    }

    @Test
    void shardsCoverEveryImageOnceAndLimitCuts() {
        List<Integer> all = java.util.stream.IntStream.range(0, 10).boxed().toList();
        assertEquals(List.of(1, 4, 7), Selection.shard("1/3").apply(all));
        assertEquals(List.of(0, 3), Selection.shard("0/3").withLimit(2).apply(all));
        assertEquals(List.of(0, 1, 2, 3), Selection.all().withLimit(4).apply(all));
        int covered = 0;
        for (int i = 0; i < 3; i++) {
            covered += new Selection(i, 3, 0).apply(all).size();
        }
        assertEquals(10, covered);
        assertThrows(IllegalArgumentException.class, () -> Selection.shard("3/3"));
        assertThrows(IllegalArgumentException.class, () -> Selection.shard("1-3"));
    }
}
