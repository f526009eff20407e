package org.repzoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repzoo.bench.BenchmarkMemoryException;
import org.repzoo.evaluation.data.BadInput;
import org.repzoo.evaluation.data.BadInputException;
import org.repzoo.training.checkpoint.RunFolderException;
import org.repzoo.zoo.core.SettingException;

/**
 * The library modules speak of values, files and keys, never of command-line flags: no string literal in their
 * sources holds a {@code --flag}. Their typed exceptions carry what the command line needs to name its flags
 * ({@link Main#message}).
 */
class LibraryMessagesTest {

    private static final List<String> LIBRARIES = List.of("compat", "zoo", "weights", "evaluation", "reparam",
            "training", "deploy", "spark", "bench");
    /** Two dashes starting a word: {@code --width}, not {@code rw-r--r--}. */
    private static final Pattern FLAG = Pattern.compile("(^|[^\\w-])--[a-z]");

    @Test
    void noLibraryStringLiteralNamesAFlag() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> found = new ArrayList<>();
        int files = 0;
        for (String module : LIBRARIES) {
            Path sources = root.resolve(module).resolve("src/main/java");
            assertTrue(Files.isDirectory(sources), sources + " missing");
            try (Stream<Path> walk = Files.walk(sources)) {
                for (Path file : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
                    files++;
                    for (String literal : stringLiterals(Files.readString(file))) {
                        if (FLAG.matcher(literal).find()) {
                            found.add(root.relativize(file) + ": \"" + literal + "\"");
                        }
                    }
                }
            }
        }
        assertTrue(files > 300, "read only " + files + " library sources");
        assertEquals(List.of(), found);
    }

    /** The command line names a setting's flag, or the flag that gets past an error, where the library does not. */
    @Test
    void typedErrorsBecomeLinesAboutFlags(@TempDir Path dir) throws IOException {
        assertEquals("--width must be positive, got -1.0", Main.message(new SettingException("width",
                "must be positive, got -1.0")));
        assertEquals("--spark-mode must be averaging or shared, got 'x'", Main.message(new SettingException("sparkMode",
                "must be averaging or shared, got 'x'")));
        assertEquals("--width and --depths apply to resizable architectures (RepVGG); vgg11 is not one",
                Main.message(new SettingException(List.of("width", "depths"), "apply to resizable architectures "
                        + "(RepVGG); vgg11 is not one")));
        BadInput bad = new BadInput("a.jpg", "not an image");
        assertEquals("a.jpg: not an image", Main.message(new BadInputException(bad)));
        assertEquals("a.jpg: not an image (--skip-bad counts and lists bad inputs in the report instead of stopping)",
                Main.message(BadInputException.skippable(bad)));
        Path checkpoint = dir.resolve("checkpoint.zip");
        RunFolderException none = assertThrows(RunFolderException.class,
                () -> RunFolderException.requireResumable(checkpoint));
        assertEquals(checkpoint + ": no checkpoint to resume (start without --resume)", Main.message(none));
        Files.writeString(checkpoint, "a run");
        RunFolderException taken = assertThrows(RunFolderException.class,
                () -> RunFolderException.requireNew(checkpoint));
        assertEquals(checkpoint + " already holds a run: add --resume to continue it, or choose another "
                + "--checkpoint-dir", Main.message(taken));
        assertTrue(Main.message(new BenchmarkMemoryException("batch 64, input 3x224x224", new OutOfMemoryError("heap")))
                .endsWith("or use a smaller --batch"));
    }

    /** The checker itself finds a flag in a literal, and ignores one in comments, chars and permission strings. */
    @Test
    void literalsAreFoundOutsideComments() {
        String source = "// say \"--no\"\n/* or \"--never\" */ char q = '\"'; String a = \"use --width\";"
                + " String b = \"rw-r--r--\"; String c = \"a \\\"quoted\\\" --flag\";";
        List<String> flagged = stringLiterals(source).stream().filter(s -> FLAG.matcher(s).find()).toList();
        assertEquals(List.of("use --width", "a \\\"quoted\\\" --flag"), flagged);
    }

    /** The contents of every string literal and text block of a Java source, comments and char literals skipped. */
    static List<String> stringLiterals(String source) {
        List<String> literals = new ArrayList<>();
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                literals.add(source.substring(i + 3, end < 0 ? n : end));
                i = end < 0 ? n : end + 3;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && source.charAt(j) != c) {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                if (c == '"') {
                    literals.add(source.substring(i + 1, Math.min(j, n)));
                }
                i = j + 1;
            } else {
                i++;
            }
        }
        return literals;
    }
}
