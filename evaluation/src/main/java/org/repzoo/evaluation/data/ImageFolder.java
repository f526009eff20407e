package org.repzoo.evaluation.data;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.repzoo.evaluation.image.ImageDecoder;

/**
 * An ImageNet-style folder tree, listed as torchvision 0.14's {@code ImageFolder} lists it: one folder per class,
 * classes in sorted folder-name order (or the order of a class-index file), each folder walked recursively
 * ({@code sorted(os.walk(...))}, files sorted within a folder), keeping files with torchvision's image extensions
 * ({@code IMG_EXTENSIONS}, case-insensitive); other files are ignored, as torchvision ignores them.
 *
 * <p>Problems, each with its path: a class folder without images (torchvision refuses the whole tree), and, with a
 * class file, a folder the file does not list.
 */
public final class ImageFolder implements Dataset {

    /** torchvision's {@code IMG_EXTENSIONS}. */
    static final Set<String> EXTENSIONS = Set.of(".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff",
            ".webp");

    private final Path root;
    private final List<String> classes;
    private final List<Sample> samples = new ArrayList<>();
    private final List<BadInput> problems = new ArrayList<>();

    private ImageFolder(Path root, List<String> classes) {
        this.root = root;
        this.classes = List.copyOf(classes);
    }

    /** The tree under {@code root}; {@code classFile} (may be null) fixes the class order. */
    public static ImageFolder open(Path root, Path classFile) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new BadInputException(new BadInput(root.toString(), Files.exists(root) ? "not a folder"
                    : "no such folder"));
        }
        List<String> folders;
        try (Stream<Path> entries = Files.list(root)) {
            folders = entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
        if (folders.isEmpty()) {
            throw new BadInputException(new BadInput(root.toString(), "has no class folders (expected one folder "
                    + "per class, as torchvision's ImageFolder)"));
        }
        List<String> classes = classFile == null ? folders : ClassFile.read(classFile);
        ImageFolder dataset = new ImageFolder(root, classes);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            index.put(classes.get(i), i);
        }
        for (String folder : folders) {
            Integer label = index.get(folder);
            Path directory = root.resolve(folder);
            if (label == null) {
                dataset.problems.add(new BadInput(directory.toString(), "folder is not a class of " + classFile));
                continue;
            }
            List<Path> images = images(directory);
            if (images.isEmpty()) {
                dataset.problems.add(new BadInput(directory.toString(), "class folder holds no image files (looked"
                        + " for " + String.join(" ", EXTENSIONS.stream().sorted().toList()) + ")"));
            }
            for (Path image : images) {
                dataset.samples.add(new Sample(image.toString(), label, () -> ImageDecoder.read(image)));
            }
        }
        return dataset;
    }

    /** The image files under a class folder in torchvision's order. */
    private static List<Path> images(Path directory) throws IOException {
        List<Path> folders;
        try (Stream<Path> walk = Files.walk(directory, FileVisitOption.FOLLOW_LINKS)) {
            // sorted(os.walk(...)) orders the folders by their path strings.
            folders = walk.filter(Files::isDirectory).sorted(Comparator.comparing(Path::toString)).toList();
        }
        List<Path> images = new ArrayList<>();
        for (Path folder : folders) {
            try (Stream<Path> files = Files.list(folder)) {
                files.filter(p -> !Files.isDirectory(p) && hasImageExtension(p))
                        .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                        .forEach(images::add);
            }
        }
        return images;
    }

    static boolean hasImageExtension(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(name.substring(dot));
    }

    @Override
    public String kind() {
        return "image-folder";
    }

    @Override
    public String location() {
        return root.toString();
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
