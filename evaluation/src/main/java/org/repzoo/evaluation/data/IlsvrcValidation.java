package org.repzoo.evaluation.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.repzoo.evaluation.image.ImageDecoder;

/**
 * The ILSVRC-2012 validation images in one folder ({@code ILSVRC2012_val_00000001.JPEG} ...) with a ground-truth
 * file, in one of three forms, told apart by their content:
 * <ul>
 *   <li>Kaggle's {@code LOC_val_solution.csv} ({@code ImageId,PredictionString}; the class is the first WordNet id
 *       of the prediction string);</li>
 *   <li>one WordNet id per line, line n for image n (TF-slim's {@code imagenet_2012_validation_synset_labels.txt});</li>
 *   <li>the devkit's {@code ILSVRC2012_validation_ground_truth.txt}: one {@code ILSVRC2012_ID} per line. Those ids
 *       number the classes in the devkit's {@code meta.mat} order, which is <em>not</em> the models' order, so a
 *       synsets file (the WordNet ids in ILSVRC2012_ID order, one per line, as
 *       {@code tools/imagenet/devkit_synsets.py} writes it from {@code meta.mat}) is required with it.</li>
 * </ul>
 * Class indices are the models' (torchvision's {@code ImageNet}/{@code ImageFolder}) order: the sorted WordNet ids,
 * or the order of a class file ({@code LOC_synset_mapping.txt}) when one is given. An image without a label and a
 * label without an image are both problems, reported with their paths.
 */
public final class IlsvrcValidation implements Dataset {

    private static final Pattern WNID = Pattern.compile("n\\d{8}");
    private static final Pattern NUMBER = Pattern.compile("\\d+");
    private static final String IMAGE_PREFIX = "ILSVRC2012_val_";

    private final Path folder;
    private final List<String> classes;
    private final List<Sample> samples = new ArrayList<>();
    private final List<BadInput> problems = new ArrayList<>();

    private IlsvrcValidation(Path folder, List<String> classes) {
        this.folder = folder;
        this.classes = List.copyOf(classes);
    }

    /**
     * @param classFile the class order (may be null: sorted WordNet ids)
     * @param synsets   the devkit's WordNet ids in ILSVRC2012_ID order (only for the devkit's ground truth)
     */
    public static IlsvrcValidation open(Path folder, Path groundTruth, Path classFile, Path synsets) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new BadInputException(new BadInput(folder.toString(), Files.exists(folder) ? "not a folder"
                    : "no such folder"));
        }
        if (!Files.isRegularFile(groundTruth)) {
            throw new BadInputException(new BadInput(groundTruth.toString(), "ground-truth file not found"));
        }
        Map<String, String> labels = labels(groundTruth, synsets);
        List<String> classes = classFile != null ? ClassFile.read(classFile)
                : new ArrayList<>(new TreeSet<>(synsets != null ? ClassFile.read(synsets) : labels.values()));
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            index.put(classes.get(i), i);
        }
        IlsvrcValidation dataset = new IlsvrcValidation(folder, classes);
        List<Path> images;
        try (Stream<Path> files = Files.list(folder)) {
            images = files.filter(p -> Files.isRegularFile(p) && ImageFolder.hasImageExtension(p))
                    .sorted().toList();
        }
        Map<String, Boolean> used = new HashMap<>();
        for (Path image : images) {
            String id = stem(image);
            String wnid = labels.get(id);
            if (wnid == null) {
                dataset.problems.add(new BadInput(image.toString(), "no label for " + id + " in " + groundTruth));
                continue;
            }
            used.put(id, true);
            Integer label = index.get(wnid);
            if (label == null) {
                dataset.problems.add(new BadInput(image.toString(), "labelled " + wnid + ", which is not a class of "
                        + (classFile != null ? classFile : "the label set")));
                continue;
            }
            dataset.samples.add(new Sample(image.toString(), label, () -> ImageDecoder.read(image)));
        }
        for (String id : labels.keySet()) {
            if (!used.containsKey(id)) {
                dataset.problems.add(new BadInput(folder.resolve(id + ".JPEG").toString(), "labelled in " + groundTruth
                        + " but no such image in the folder"));
            }
        }
        return dataset;
    }

    /** Image id (file name without extension) to WordNet id. */
    private static Map<String, String> labels(Path file, Path synsets) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, String> labels = new LinkedHashMap<>();
        if (!lines.isEmpty() && lines.get(0).strip().startsWith("ImageId,")) {
            for (int n = 1; n < lines.size(); n++) {
                String line = lines.get(n).strip();
                if (line.isEmpty()) {
                    continue;
                }
                String[] fields = line.split(",", 2);
                String wnid = fields.length == 2 ? fields[1].strip().split("\\s+")[0] : "";
                if (!WNID.matcher(wnid).matches()) {
                    throw new BadInputException(new BadInput(file + ":" + (n + 1), "expected ImageId,WNID ..., got '"
                            + line + "'"));
                }
                labels.put(fields[0].strip(), wnid);
            }
            return labels;
        }
        List<String> devkitOrder = null;
        for (int n = 0; n < lines.size(); n++) {
            String value = lines.get(n).strip();
            if (value.isEmpty() && n == lines.size() - 1) {
                break;
            }
            String id = String.format("%s%08d", IMAGE_PREFIX, n + 1);
            if (WNID.matcher(value).matches()) {
                labels.put(id, value);
            } else if (NUMBER.matcher(value).matches()) {
                if (devkitOrder == null) {
                    if (synsets == null) {
                        throw new IllegalArgumentException(file + " holds the devkit's ILSVRC2012_IDs, which number the"
                                + " classes in meta.mat's order, not the models'; give the synsets file (the WordNet"
                                + " ids in ILSVRC2012_ID order, from tools/imagenet/devkit_synsets.py) as well");
                    }
                    devkitOrder = ClassFile.read(synsets);
                }
                int devkitId = Integer.parseInt(value);
                if (devkitId < 1 || devkitId > devkitOrder.size()) {
                    throw new BadInputException(new BadInput(file + ":" + (n + 1), "ILSVRC2012_ID " + devkitId
                            + " outside 1.." + devkitOrder.size() + " (the synsets file " + synsets + ")"));
                }
                labels.put(id, devkitOrder.get(devkitId - 1));
            } else {
                throw new BadInputException(new BadInput(file + ":" + (n + 1), "expected an ILSVRC2012_ID or a"
                        + " WordNet id, got '" + value + "'"));
            }
        }
        return labels;
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    @Override
    public String kind() {
        return "ilsvrc2012-val";
    }

    @Override
    public String location() {
        return folder.toString();
    }

    @Override
    public List<String> classNames() {
        return classes;
    }

    @Override
    public List<Sample> samples() {
        return List.copyOf(samples);
    }

    @Override
    public List<BadInput> problems() {
        return List.copyOf(problems);
    }
}
