package org.repzoo.weights;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.repzoo.weights.format.DType;
import org.repzoo.weights.format.HostTensor;
import org.repzoo.weights.format.StoredTensor;
import org.repzoo.zoo.Fixtures;

/**
 * timm's RepVGG state_dict keys (timm/models/byobnet.py, written out in tools/reference/repvgg_timm_keys.py), each with
 * the official key of the same tensor and its shape, in timm's state_dict order, for repvgg_a0, repvgg_b1g4 and
 * repvgg_d2se and their deploy forms; and checkpoints in either naming holding the same hashed tensors
 * ({@link HashedWeights}, keyed by the official name) and the same {@code num_batches_tracked} counters. Public, and in
 * the test jar, for the command line's tests.
 */
public final class TimmRepVggKeys {

    public static final String MADE_BY = "/usr/bin/python3 tools/reference/repvgg_timm_keys.py "
            + "weights/src/test/resources/repvgg/timm_keys.json.gz";
    private static final String COUNTER = ".num_batches_tracked";

    /** One state_dict entry: its timm key, the official key of the same tensor, and the shape. */
    public record Row(String timmKey, String officialKey, long[] shape) {
        public boolean isCounter() {
            return officialKey.endsWith(COUNTER);
        }
    }

    private static JsonNode fixture;

    private TimmRepVggKeys() {
    }

    private static synchronized JsonNode models() {
        if (fixture == null) {
            fixture = Fixtures.json("/repvgg/timm_keys.json.gz", MADE_BY).get("models");
        }
        return fixture;
    }

    /** The registered names the fixture covers. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        models().fieldNames().forEachRemaining(names::add);
        return names;
    }

    public static List<Row> rows(String name) {
        JsonNode model = models().get(name);
        if (model == null) {
            throw new IllegalStateException(name + " is not in /repvgg/timm_keys.json.gz: run " + MADE_BY);
        }
        List<Row> rows = new ArrayList<>();
        for (JsonNode row : model) {
            long[] shape = new long[row.get(2).size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = row.get(2).get(i).asLong();
            }
            rows.add(new Row(row.get(0).asText(), row.get(1).asText(), shape));
        }
        return rows;
    }

    /** The checkpoint in timm's names and order: hashed tensors (computed when read) and int64 counters. */
    public static Map<String, StoredTensor> timmCheckpoint(String name) {
        Map<String, StoredTensor> state = new LinkedHashMap<>();
        List<Row> rows = rows(name);
        for (Row row : rows) {
            state.put(row.timmKey(), tensor(row));
        }
        return state;
    }

    /** The same tensors and counters under the official names (in timm's order). */
    public static Map<String, StoredTensor> officialCheckpoint(String name) {
        Map<String, StoredTensor> state = new LinkedHashMap<>();
        for (Row row : rows(name)) {
            state.put(row.officialKey(), tensor(row));
        }
        return state;
    }

    private static StoredTensor tensor(Row row) {
        if (!row.isCounter()) {
            return new HashedWeights.Lazy(row.officialKey(), row.shape());
        }
        // a count that differs per BatchNorm, so that a counter put back under another module's name shows
        long count = 1000 + (row.officialKey().hashCode() & 0xFFFF);
        return new HostTensor(DType.I64, new long[0], ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(0, count));
    }
}
