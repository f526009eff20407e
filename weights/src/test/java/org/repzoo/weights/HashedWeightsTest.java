package org.repzoo.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.repzoo.zoo.Fixtures;

/**
 * {@link HashedWeights} is the twin of tools/reference/hashed_weights.py: for keys that take every branch of its rules
 * (and a non-ASCII key, 2.2M indices, the parity input) the Java values equal NumPy's bit for bit, so the parity
 * fixtures may hold only PyTorch's outputs.
 */
class HashedWeightsTest {

    @Test
    void javaGivesPythonsValuesBitForBit() throws Exception {
        JsonNode cases = Fixtures.json("/parity/hashed_weights.json",
                "/usr/bin/python3 tools/reference/hashed_weights.py weights/src/test/resources/parity/hashed_weights.json")
                .get("cases");
        assertEquals(16, cases.size());
        for (JsonNode c : cases) {
            String key = c.get("key").asText();
            long[] shape = new long[c.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = c.get("shape").get(i).asLong();
            }
            float[] values = HashedWeights.values(key, shape);
            for (int i = 0; i < c.get("first_bits").size(); i++) {
                assertEquals(c.get("first_bits").get(i).asLong(), Integer.toUnsignedLong(Float.floatToRawIntBits(values[i])),
                        key + "[" + i + "] = " + values[i]);
            }
            ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
            assertEquals(c.get("sha256").asText(), sha256, key + ": every value");
            assertEquals(sha256, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                    Tensors.fromArray(HashedWeights.tensor(key, shape)).read().array())), key + ": as an ND4J array");
        }
    }
}
