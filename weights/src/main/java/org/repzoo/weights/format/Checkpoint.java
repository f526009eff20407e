package org.repzoo.weights.format;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An opened checkpoint: the state_dict's keys with their tensors, in the file's order. Opening validates the whole
 * structure (types, shapes, offsets within the file), so a {@link StoredTensor#read()} reads only data.
 *
 * @param wrapper the key the state_dict was found under ({@code "state_dict"}, {@code "model"}), or null when the file
 *                holds the state_dict itself
 */
public record Checkpoint(Path file, CheckpointFormat format, Map<String, StoredTensor> tensors, String wrapper,
                         Closeable resources) implements Closeable {

    public Checkpoint {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    @Override
    public void close() throws IOException {
        if (resources != null) {
            resources.close();
        }
    }
}
