package org.repzoo.weights.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Format detection by content. */
class CheckpointsTest {

    @TempDir
    Path dir;

    @Test
    void safetensorsWhoseHeaderLengthStartsWithThePickleProtoByteIsStillSafetensors() throws Exception {
        String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        byte[] header = (json + " ".repeat(128 - json.length())).getBytes(StandardCharsets.US_ASCII);
        ByteBuffer file = ByteBuffer.allocate(8 + 128 + 4).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(128).put(header).putFloat(2.5f);
        Path path = dir.resolve("x.safetensors");
        Files.write(path, file.array());
        assertEquals((byte) 0x80, Files.readAllBytes(path)[0]);
        assertEquals(CheckpointFormat.SAFETENSORS, Checkpoints.detect(path));
        try (Checkpoint checkpoint = Checkpoints.open(path)) {
            assertEquals(2.5f, checkpoint.tensors().get("a").read().getFloat(0));
        }
    }

    @Test
    void otherFilesAreNamedAndRefused() throws Exception {
        Path text = dir.resolve("notes.pth");
        Files.writeString(text, "hello, world");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(text));
        assertTrue(e.getMessage().startsWith("notes.pth: not a checkpoint"), e.getMessage());
        Path empty = dir.resolve("empty.pth");
        Files.write(empty, new byte[0]);
        assertEquals("empty.pth: empty file", assertThrows(CheckpointException.class, () -> Checkpoints.open(empty)).getMessage());
        Path folder = Files.createDirectory(dir.resolve("weights"));
        assertEquals("weights: is a directory, not a checkpoint file",
                assertThrows(CheckpointException.class, () -> Checkpoints.open(folder)).getMessage());
        assertEquals("missing.pth: no such file",
                assertThrows(CheckpointException.class, () -> Checkpoints.open(dir.resolve("missing.pth"))).getMessage());
    }
}
