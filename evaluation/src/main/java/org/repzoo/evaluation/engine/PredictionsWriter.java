package org.repzoo.evaluation.engine;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --predictions out.csv}: one line per image and protocol, {@code path,label,protocol,top1,...,top5} (class
 * indices, best first, in the stable order of §5.4), written as images complete, so scripts can audit single images.
 */
final class PredictionsWriter implements Closeable {

    private final BufferedWriter out;

    PredictionsWriter(Path file) throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        out.write("path,label,protocol,top1,top2,top3,top4,top5\n");
    }

    void write(String path, int label, String protocol, int[] top) throws IOException {
        StringBuilder line = new StringBuilder(csv(path)).append(',').append(label).append(',').append(csv(protocol));
        for (int i = 0; i < 5; i++) {
            line.append(',');
            if (i < top.length) {
                line.append(top[i]);
            }
        }
        out.write(line.append('\n').toString());
    }

    /** RFC 4180 quoting where needed (paths may hold commas or quotes). */
    static String csv(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
