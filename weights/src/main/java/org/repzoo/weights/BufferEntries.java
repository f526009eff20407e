package org.repzoo.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.repzoo.weights.format.DType;
import org.repzoo.weights.format.HostTensor;
import org.repzoo.weights.format.StoredTensor;
import org.repzoo.zoo.core.ModelFileException;
import org.repzoo.zoo.core.ModelFiles;

/**
 * Checkpoint tensors that are not weights but must survive an import/export round trip, such as BatchNorm's
 * {@code num_batches_tracked} counters: kept in the model zip as {@code repzoo/buffers.json} (type, shape, base64
 * little-endian data).
 */
public final class BufferEntries {

    public static final String ENTRY = "repzoo/buffers.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private BufferEntries() {
    }

    public static String toJson(Map<String, ? extends StoredTensor> buffers) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        for (Map.Entry<String, ? extends StoredTensor> e : buffers.entrySet()) {
            StoredTensor t = e.getValue();
            ObjectNode node = root.putObject(e.getKey());
            node.put("dtype", t.dtype().name());
            var shape = node.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            ByteBuffer data = t.read();
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            node.put("data", Base64.getEncoder().encodeToString(bytes));
        }
        return JSON.writeValueAsString(root);
    }

    /** The buffers stored in a model zip (empty when it has none). */
    public static Map<String, HostTensor> read(Path modelZip) throws IOException {
        Optional<String> json = ModelFiles.textEntry(modelZip, ENTRY);
        Map<String, HostTensor> buffers = new LinkedHashMap<>();
        if (json.isEmpty()) {
            return buffers;
        }
        try {
            JsonNode root = JSON.readTree(json.get());
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) root::fields) {
                JsonNode node = e.getValue();
                long[] shape = new long[node.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = node.get("shape").get(i).asLong();
                }
                byte[] data = Base64.getDecoder().decode(node.get("data").asText());
                buffers.put(e.getKey(), new HostTensor(DType.valueOf(node.get("dtype").asText()), shape, ByteBuffer.wrap(data)));
            }
        } catch (IOException | RuntimeException e) {
            throw new ModelFileException(modelZip, ENTRY + " is not valid (" + e.getMessage() + ")", e);
        }
        return buffers;
    }
}
