package org.repzoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Java snippets of the README and the guides are the examples project's code, which CI compiles and runs: a
 * snippet that starts with {@code // examples/...java} must be that file's text (from its first import on, or any run
 * of its lines), so the docs cannot drift from code that builds.
 */
class DocSnippetsTest {

    @Test
    void everyMarkedSnippetIsExampleCode() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<Path> docs = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> guides = Files.list(root.resolve("docs"))) {
            guides.filter(p -> p.toString().endsWith(".md")).forEach(docs::add);
        }
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Path doc : docs) {
            List<String> lines = Files.readAllLines(doc);
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).equals("```java") || i + 1 >= lines.size()
                        || !lines.get(i + 1).startsWith("// examples/")) {
                    continue;
                }
                Path source = root.resolve(lines.get(i + 1).substring(3).trim());
                int end = i + 2;
                while (end < lines.size() && !lines.get(end).equals("```")) {
                    end++;
                }
                List<String> snippet = lines.subList(i + 2, end);
                checked++;
                if (!Files.isRegularFile(source)) {
                    wrong.add(root.relativize(doc) + ":" + (i + 2) + " names " + source + ", which does not exist");
                } else if (Collections.indexOfSubList(Files.readAllLines(source), snippet) < 0) {
                    wrong.add(root.relativize(doc) + ":" + (i + 2) + " is not the text of " + root.relativize(source));
                }
            }
        }
        assertTrue(checked >= 1, "no marked snippet found");
        assertEquals(List.of(), wrong);
    }
}
