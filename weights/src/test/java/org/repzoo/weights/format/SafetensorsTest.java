package org.repzoo.weights.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.repzoo.weights.format.CheckpointFixtures.assertDirectoryHolds;
import static org.repzoo.weights.format.CheckpointFixtures.assertRefused;
import static org.repzoo.weights.format.CheckpointFixtures.bytes;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    private static final String REFERENCE = "reference.safetensors";

    @TempDir
    Path dir;

    @Test
    void readsTheReferenceLayout() throws IOException {
        Path file = CheckpointFixtures.file(REFERENCE);
        JsonNode expected = CheckpointFixtures.expected(REFERENCE);
        assertEquals(CheckpointFormat.SAFETENSORS, Checkpoints.detect(file));
        try (Checkpoint checkpoint = Checkpoints.open(file)) {
            assertEquals(CheckpointFormat.SAFETENSORS, checkpoint.format());
            CheckpointFixtures.assertCheckpoint(expected.get("tensors"), checkpoint);
        }
        assertEquals(Map.of("format", "pt", "source", "repzoo fixture"), Safetensors.metadata(file));
    }

    /** Same tensors, order and metadata give the very bytes of the fixture, written from the specification. */
    @Test
    void writesTheReferenceLayout() throws IOException {
        Path reference = CheckpointFixtures.file(REFERENCE);
        Path ours = dir.resolve("ours.safetensors");
        try (Checkpoint checkpoint = Safetensors.open(reference)) {
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", "pt");
            metadata.put("source", "repzoo fixture");
            Safetensors.write(ours, checkpoint.tensors(), metadata);
        }
        assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(ours));
    }

    @Test
    void roundTripsEveryTypeInOrder() throws IOException {
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        long seed = 0;
        for (DType dtype : DType.values()) {
            tensors.put("z." + dtype, CheckpointFixtures.randomTensor(dtype, new long[] {3, 5}, seed++));
            tensors.put("a.scalar." + dtype, CheckpointFixtures.randomTensor(dtype, new long[] {}, seed++));
            tensors.put("m.empty." + dtype, CheckpointFixtures.randomTensor(dtype, new long[] {4, 0}, seed++));
        }
        tensors.put("\"quoted\"\n\u00e9t\u00e9", HostTensor.ofFloats(new long[] {1}, 1));
        Path file = dir.resolve("all.safetensors");
        Safetensors.write(file, tensors, Map.of("note", "caf\u00e9 \"\\"));
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "header padded to 8 bytes");
        try (Checkpoint checkpoint = Safetensors.open(file)) {
            assertEquals(List.copyOf(tensors.keySet()), List.copyOf(checkpoint.tensors().keySet()));
            for (Map.Entry<String, StoredTensor> entry : tensors.entrySet()) {
                StoredTensor back = checkpoint.tensors().get(entry.getKey());
                assertEquals(entry.getValue().dtype(), back.dtype());
                assertArrayEquals(entry.getValue().shape(), back.shape());
                assertArrayEquals(bytes(entry.getValue().read()), bytes(back.read()), entry.getKey());
            }
        }
        assertEquals(Map.of("note", "caf\u00e9 \"\\"), Safetensors.metadata(file));
        Path empty = dir.resolve("empty.safetensors");
        Safetensors.write(empty, Map.of(), null);
        try (Checkpoint checkpoint = Safetensors.open(empty)) {
            assertTrue(checkpoint.tensors().isEmpty());
        }
        assertDirectoryHolds(dir, "all.safetensors", "empty.safetensors");
    }

    @Test
    void failingWritersLeaveNoFile() throws IOException {
        Path file = dir.resolve("out.safetensors");
        Map<String, StoredTensor> failing = new LinkedHashMap<>();
        failing.put("ok", HostTensor.ofFloats(new long[] {1}, 1));
        failing.put("bad", CheckpointFixtures.failingTensor());
        assertThrows(IOException.class, () -> Safetensors.write(file, failing, Map.of()));
        assertDirectoryHolds(dir);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.write(file,
                Map.of("__metadata__", HostTensor.ofFloats(new long[] {1}, 1)), Map.of()));
        assertTrue(e.getMessage().contains("may not be named __metadata__"), e.getMessage());
        assertDirectoryHolds(dir);
    }

    @Test
    void refusesBadLengths() throws IOException {
        byte[] valid = Files.readAllBytes(CheckpointFixtures.file(REFERENCE));
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, withLength(valid, valid.length));
        assertRefused(file, Safetensors::open, "header length " + valid.length + " is larger than the "
                + (valid.length - 8) + " bytes after it");
        Files.write(file, withLength(valid, -1));
        assertRefused(file, Safetensors::open, "header length 18446744073709551615 is larger than");
        Files.write(file, Arrays.copyOf(valid, 5));
        assertRefused(file, Safetensors::open, "truncated: 5 bytes");
    }

    @Test
    void refusesEveryTruncation() throws IOException {
        byte[] valid = Files.readAllBytes(CheckpointFixtures.file(REFERENCE));
        Path file = dir.resolve("cut.safetensors");
        for (int length = 0; length < valid.length; length++) {
            Files.write(file, Arrays.copyOf(valid, length));
            assertRefused(file, Safetensors::open);
        }
    }

    @Test
    void refusesBadHeaders() throws IOException {
        byte[] data = new byte[24];
        String ok = "\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}";
        refused("{" + ok + "}junk", data, "not valid JSON");
        refused("not json at all", data, "does not start with '{'");
        refused("{\"a\":", data, "not valid JSON");
        refused("[1, 2]", data, "does not start with '{'");
        refused("{" + ok + ",\"a\":{}}", data, "Duplicate field 'a'");
        refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24],\"extra\":1}}", data,
                "tensor 'a' has an unknown field 'extra'");
        refused("{\"a\":{\"dtype\":\"U32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", data,
                "tensor 'a' has dtype 'U32', which RepZoo does not read");
        refused("{\"a\":{\"shape\":[2,3],\"data_offsets\":[0,24]}}", data, "tensor 'a' has no dtype");
        refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,-3],\"data_offsets\":[0,24]}}", data,
                "entry '-3' that is not a non-negative integer");
        refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3.0],\"data_offsets\":[0,24]}}", data,
                "not a non-negative integer");
        refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,99999999999999999999],\"data_offsets\":[0,24]}}", data,
                "not a non-negative integer");
        refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,24]}}", data,
                "overflows");
        refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0]}}", data,
                "no data_offsets array of 2 integers");
        refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,48]}}", data,
                "data_offsets [0, 48] outside the 24 bytes of data");
        refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[24,0]}}", data, "outside");
        refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", data,
                "spanning 20 bytes, but F32 of shape [2, 3] needs 24");
        refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[4,20]}}", data,
                "tensor 'b' starts at 4, inside tensor 'a' (overlapping data_offsets)");
        refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", data,
                "leaving a gap of 4 bytes");
        refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data,
                "16 bytes of data after the last tensor");
        refused("{\"__metadata__\":{\"n\":1}," + ok + "}", data, "has a value for 'n' that is not a string");
        refused("{\"__metadata__\":[]," + ok + "}", data, "__metadata__ is not an object");
        refused("{\"a\":" + "[".repeat(3000) + "}", data, "not valid JSON");
        refused("{\"a\":1}", data, "tensor 'a' is not described by a JSON object");
        byte[] latin1 = ("{\"\u00e9\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertRefused(file("latin1.safetensors", latin1, data), Safetensors::open, "not valid UTF-8");
    }

    @Test
    void acceptsTheTilingEdgeCases() throws IOException {
        // Zero-size tensors may sit anywhere, even sharing an offset; entry order need not be data order.
        String header = "{\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]},"
                + "\"e\":{\"dtype\":\"I64\",\"shape\":[0],\"data_offsets\":[8,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        try (Checkpoint checkpoint = Safetensors.open(file("edge.safetensors",
                header.getBytes(StandardCharsets.UTF_8), new byte[24]))) {
            assertEquals(List.of("b", "e", "a"), List.copyOf(checkpoint.tensors().keySet()));
            assertEquals(16, checkpoint.tensors().get("b").read().remaining());
        }
    }

    @Test
    void refusesReadsAfterCloseAndShrunkFiles() throws IOException {
        Path file = dir.resolve("copy.safetensors");
        Files.copy(CheckpointFixtures.file(REFERENCE), file);
        Checkpoint checkpoint = Safetensors.open(file);
        StoredTensor tensor = checkpoint.tensors().get("conv.weight");
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(Files.size(file) - 40);
        }
        CheckpointException shrunk = assertThrows(CheckpointException.class,
                () -> checkpoint.tensors().get("bn.scale").read());
        assertTrue(shrunk.getMessage().contains("the file shrank"), shrunk.getMessage());
        checkpoint.close();
        assertThrows(CheckpointException.class, tensor::read);
    }

    @Test
    void survivesRandomCorruption() throws IOException {
        CheckpointFixtures.fuzz(Files.readAllBytes(CheckpointFixtures.file(REFERENCE)), dir, 6000, 11,
                Safetensors::open);
    }

    @Test
    void readsTensorsSpanningManyChunks() throws IOException {
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        tensors.put("small", CheckpointFixtures.randomTensor(DType.F16, new long[] {3}, 1));
        tensors.put("large", CheckpointFixtures.randomTensor(DType.F32, new long[] {5, 1 << 20}, 2));
        Path file = dir.resolve("chunks.safetensors");
        Safetensors.write(file, tensors, null);
        try (Checkpoint checkpoint = Safetensors.open(file)) {
            for (String key : tensors.keySet()) {
                assertArrayEquals(bytes(tensors.get(key).read()), bytes(checkpoint.tensors().get(key).read()), key);
            }
        }
    }

    private void refused(String header, byte[] data, String fragment) throws IOException {
        assertRefused(file("bad.safetensors", header.getBytes(StandardCharsets.UTF_8), data), Safetensors::open,
                fragment);
    }

    private Path file(String name, byte[] header, byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        out.write(header);
        out.write(data);
        Path file = dir.resolve(name);
        Files.write(file, out.toByteArray());
        return file;
    }

    private static byte[] withLength(byte[] file, long length) {
        byte[] copy = file.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return copy;
    }
}
