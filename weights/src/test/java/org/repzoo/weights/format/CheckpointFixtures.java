package org.repzoo.weights.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.repzoo.zoo.Fixtures;

/** The files of tools/reference/npz_safetensors_fixtures.py and checks against its expected.json. */
final class CheckpointFixtures {

    static final String MADE_BY = "/usr/bin/python3 tools/reference/npz_safetensors_fixtures.py "
            + "weights/src/test/resources/checkpoint";

    private CheckpointFixtures() {
    }

    static Path file(String name) {
        URL url = CheckpointFixtures.class.getResource("/checkpoint/" + name);
        if (url == null) {
            throw new IllegalStateException("/checkpoint/" + name + " missing: run " + MADE_BY);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Expected tensors of one fixture file: key to {dtype, shape, values}, in the file's order. */
    static JsonNode expected(String name) {
        return Fixtures.json("/checkpoint/expected.json", MADE_BY).get(name);
    }

    static List<String> keys(JsonNode tensors) {
        List<String> keys = new ArrayList<>();
        tensors.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    /** Asserts dtype, shape and every value bit for bit (values are exact in their dtype). */
    static void assertTensor(JsonNode expected, StoredTensor tensor, String what) throws IOException {
        assertEquals(expected.get("dtype").asText(), tensor.dtype().safetensorsName(), what + " dtype");
        long[] shape = new long[expected.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = expected.get("shape").get(i).asLong();
        }
        assertArrayEquals(shape, tensor.shape(), what + " shape");
        ByteBuffer data = tensor.read();
        assertEquals(ByteOrder.LITTLE_ENDIAN, data.order(), what + " byte order");
        assertEquals(0, data.position(), what + " position");
        JsonNode values = expected.get("values");
        assertEquals(values.size() * (long) tensor.dtype().width(), data.remaining(), what + " bytes");
        for (int i = 0; i < values.size(); i++) {
            JsonNode value = values.get(i);
            String at = what + "[" + i + "]";
            switch (tensor.dtype()) {
                case F16 -> assertEquals(Float.floatToIntBits((float) value.asDouble()),
                        Float.floatToIntBits(halfToFloat(data.getShort())), at);
                case BF16 -> assertEquals(Float.floatToIntBits((float) value.asDouble()),
                        (data.getShort() & 0xffff) << 16, at);
                case F32 -> assertEquals(Float.floatToIntBits((float) value.asDouble()),
                        Float.floatToIntBits(data.getFloat()), at);
                case F64 -> assertEquals(Double.doubleToLongBits(value.asDouble()),
                        Double.doubleToLongBits(data.getDouble()), at);
                case I8 -> assertEquals(value.asLong(), data.get(), at);
                case U8 -> assertEquals(value.asLong(), data.get() & 0xff, at);
                case BOOL -> assertEquals(value.asLong(), data.get(), at);
                case I16 -> assertEquals(value.asLong(), data.getShort(), at);
                case I32 -> assertEquals(value.asLong(), data.getInt(), at);
                case I64 -> assertEquals(value.asLong(), data.getLong(), at);
                default -> fail("no check for " + tensor.dtype());
            }
        }
        assertTrue(!data.hasRemaining(), what + " trailing bytes");
    }

    /** Asserts a checkpoint holds exactly the expected tensors, in order. */
    static void assertCheckpoint(JsonNode expected, Checkpoint checkpoint) throws IOException {
        assertEquals(keys(expected), List.copyOf(checkpoint.tensors().keySet()), "keys in file order");
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            assertTensor(entry.getValue(), checkpoint.tensors().get(entry.getKey()),
                    checkpoint.file().getFileName() + ":" + entry.getKey());
        }
    }

    /** IEEE half to float (Float.float16ToFloat arrives only in Java 20). */
    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    /** A tensor of the given type and shape with distinct pseudo-random bytes (bools 0/1). */
    static HostTensor randomTensor(DType dtype, long[] shape, long seed) {
        byte[] data = new byte[Math.toIntExact(Shapes.numel(shape) * dtype.width())];
        new Random(seed).nextBytes(data);
        if (dtype == DType.BOOL) {
            for (int i = 0; i < data.length; i++) {
                data[i] &= 1;
            }
        }
        return new HostTensor(dtype, shape, ByteBuffer.wrap(data));
    }

    /** A tensor whose data cannot be read: what a writer must survive without leaving a file. */
    static StoredTensor failingTensor() {
        return new StoredTensor() {
            @Override
            public DType dtype() {
                return DType.F32;
            }

            @Override
            public long[] shape() {
                return new long[] {2, 2};
            }

            @Override
            public ByteBuffer read() throws IOException {
                throw new IOException("disk on fire");
            }
        };
    }

    /** Asserts that the directory holds exactly the given file names (no temporary leftovers). */
    static void assertDirectoryHolds(Path dir, String... names) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(names), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** Opens and reads every tensor: the only acceptable failure is a CheckpointException. */
    static void openAndReadAll(Path file, Opener opener) throws IOException {
        try (Checkpoint checkpoint = opener.open(file)) {
            for (StoredTensor tensor : checkpoint.tensors().values()) {
                ByteBuffer data = tensor.read();
                assertEquals(tensor.numel() * tensor.dtype().width(), data.remaining());
            }
        }
    }

    /**
     * Feeds seeded random corruptions of a valid file (byte flips, overwrites with boundary values, cuts, inserted
     * and deleted runs) to a reader; each must succeed or throw a CheckpointException, nothing else.
     */
    static void fuzz(byte[] valid, Path dir, int cases, long seed, Opener opener) throws IOException {
        Random random = new Random(seed);
        Path file = dir.resolve("fuzzed");
        byte[] boundary = {0, -1, 0x7f, (byte) 0x80, 1, '{', '}', '[', '(', ')', ',', '\'', '"', ':', '9', '-'};
        for (int i = 0; i < cases; i++) {
            byte[] bytes = valid.clone();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits && bytes.length > 0; e++) {
                int at = random.nextInt(bytes.length);
                switch (random.nextInt(5)) {
                    case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
                    case 1 -> bytes[at] = boundary[random.nextInt(boundary.length)];
                    case 2 -> bytes = java.util.Arrays.copyOf(bytes, at);
                    case 3 -> {
                        int run = Math.min(1 + random.nextInt(16), bytes.length - at);
                        byte[] shorter = new byte[bytes.length - run];
                        System.arraycopy(bytes, 0, shorter, 0, at);
                        System.arraycopy(bytes, at + run, shorter, at, bytes.length - at - run);
                        bytes = shorter;
                    }
                    default -> {
                        byte[] run = new byte[1 + random.nextInt(16)];
                        random.nextBytes(run);
                        byte[] longer = new byte[bytes.length + run.length];
                        System.arraycopy(bytes, 0, longer, 0, at);
                        System.arraycopy(run, 0, longer, at, run.length);
                        System.arraycopy(bytes, at, longer, at + run.length, bytes.length - at);
                        bytes = longer;
                    }
                }
            }
            Files.write(file, bytes);
            try {
                openAndReadAll(file, opener);
            } catch (CheckpointException expected) {
                assertTrue(expected.getMessage().startsWith("fuzzed: "), expected.getMessage());
            } catch (Throwable other) {
                throw new AssertionError("case " + i + " of seed " + seed + " threw " + other, other);
            }
        }
    }

    static void assertRefused(Path file, Opener opener, String... fragments) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> openAndReadAll(file, opener));
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment
                    + "'");
        }
        assertTrue(e.getMessage().startsWith(file.getFileName() + ": "), e.getMessage());
    }

    @FunctionalInterface
    interface Opener {
        Checkpoint open(Path file) throws IOException;
    }
}
