package org.repzoo.evaluation.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A class-index file: one class per line in index order, the class being the line's first word, so both a plain
 * list of folder names and ImageNet's {@code LOC_synset_mapping.txt} ({@code n01440764 tench, Tinca tinca}) read as
 * the WordNet ids in model order. Blank lines and lines starting with {@code #} are skipped.
 */
public final class ClassFile {

    private ClassFile() {
    }

    public static List<String> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(new BadInput(file.toString(), "class file not found"));
        }
        List<String> classes = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int number = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            number++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String name = trimmed.split("\\s+", 2)[0];
            if (!seen.add(name)) {
                throw new BadInputException(new BadInput(file + ":" + number, "class " + name + " listed twice"));
            }
            classes.add(name);
        }
        if (classes.isEmpty()) {
            throw new BadInputException(new BadInput(file.toString(), "lists no class"));
        }
        return classes;
    }
}
