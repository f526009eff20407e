package org.repzoo.weights.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.repzoo.weights.format.CheckpointFixtures.assertDirectoryHolds;
import static org.repzoo.weights.format.CheckpointFixtures.assertRefused;
import static org.repzoo.weights.format.CheckpointFixtures.bytes;

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
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpzTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"savez.npz", "savez_compressed.npz"})
    void readsWhatNumpySaved(String name) throws IOException {
        Path file = CheckpointFixtures.file(name);
        assertEquals(CheckpointFormat.NPZ, Checkpoints.detect(file));
        try (Checkpoint checkpoint = Checkpoints.open(file)) {
            assertEquals(CheckpointFormat.NPZ, checkpoint.format());
            assertNull(checkpoint.wrapper());
            CheckpointFixtures.assertCheckpoint(CheckpointFixtures.expected(name).get("tensors"), checkpoint);
        }
    }

    /** Our members are numpy's members, byte for byte, wherever numpy's array was C-order little-endian. */
    @Test
    void writesTheMembersNumpyWrites() throws IOException {
        Path theirs = CheckpointFixtures.file("savez.npz");
        Path ours = dir.resolve("ours.npz");
        try (Checkpoint checkpoint = Npz.open(theirs)) {
            Npz.write(ours, checkpoint.tensors());
        }
        List<String> rewritten = List.of("fortran.npy", "fortran.big.npy", "big.npy", "int64.big.npy");
        try (ZipFile numpy = new ZipFile(theirs.toFile()); ZipFile written = new ZipFile(ours.toFile())) {
            assertEquals(names(numpy), names(written));
            for (String name : names(numpy)) {
                ZipEntry entry = written.getEntry(name);
                assertEquals(ZipEntry.STORED, entry.getMethod(), name);
                byte[] mine = written.getInputStream(entry).readAllBytes();
                if (!rewritten.contains(name)) {
                    assertArrayEquals(numpy.getInputStream(numpy.getEntry(name)).readAllBytes(), mine, name);
                }
            }
        }
        try (Checkpoint checkpoint = Npz.open(ours)) {
            CheckpointFixtures.assertCheckpoint(CheckpointFixtures.expected("savez.npz").get("tensors"), checkpoint);
        }
    }

    @Test
    void roundTripsEveryNumpyTypeInOrder() throws IOException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        long seed = 0;
        for (DType dtype : DType.values()) {
            if (dtype != DType.BF16) {
                tensors.put("z." + dtype, CheckpointFixtures.randomTensor(dtype, new long[] {3, 5}, seed++));
                tensors.put("a.scalar." + dtype, CheckpointFixtures.randomTensor(dtype, new long[] {}, seed++));
                tensors.put("m.empty." + dtype, CheckpointFixtures.randomTensor(dtype, new long[] {4, 0}, seed++));
            }
        }
        tensors.put("unicode.\u00e9t\u00e9/conv", HostTensor.ofFloats(new long[] {1}, 1));
        Path file = dir.resolve("all.npz");
        Npz.write(file, tensors);
        byte[] first = Files.readAllBytes(file);
        Npz.write(file, tensors);
        assertArrayEquals(first, Files.readAllBytes(file), "reproducible output");
        try (Checkpoint checkpoint = Npz.open(file)) {
            assertEquals(List.copyOf(tensors.keySet()), List.copyOf(checkpoint.tensors().keySet()));
            for (Map.Entry<String, HostTensor> entry : tensors.entrySet()) {
                StoredTensor back = checkpoint.tensors().get(entry.getKey());
                assertEquals(entry.getValue().dtype(), back.dtype());
                assertArrayEquals(entry.getValue().shape(), back.shape());
                assertArrayEquals(bytes(entry.getValue().read()), bytes(back.read()), entry.getKey());
            }
        }
        assertDirectoryHolds(dir, "all.npz");
    }

    @Test
    void refusesAnObjectMemberByName() {
        assertRefused(CheckpointFixtures.file("object_member.npz"), Npz::open,
                "member 'names.npy' has dtype '|O': only numeric arrays are supported");
    }

    @Test
    void refusesBfloat16AndFailingTensorsWithoutLeavingAFile() throws IOException {
        Path file = dir.resolve("out.npz");
        Map<String, StoredTensor> bf16 = new LinkedHashMap<>();
        bf16.put("ok", HostTensor.ofFloats(new long[] {1}, 1));
        bf16.put("half", CheckpointFixtures.randomTensor(DType.BF16, new long[] {2}, 3));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Npz.write(file, bf16));
        assertTrue(e.getMessage().contains("tensor 'half' is BF16, which NumPy has no dtype for"), e.getMessage());
        assertDirectoryHolds(dir);

        Map<String, StoredTensor> failing = new LinkedHashMap<>();
        failing.put("ok", HostTensor.ofFloats(new long[] {1}, 1));
        failing.put("bad", CheckpointFixtures.failingTensor());
        assertThrows(IOException.class, () -> Npz.write(file, failing));
        assertDirectoryHolds(dir);

        Npz.write(file, Map.of("ok", HostTensor.ofFloats(new long[] {1}, 1)));
        byte[] before = Files.readAllBytes(file);
        assertThrows(IOException.class, () -> Npz.write(file, failing));
        assertArrayEquals(before, Files.readAllBytes(file), "a failed write leaves the old file as it was");
        assertDirectoryHolds(dir, "out.npz");
    }

    @Test
    void refusesLyingTensors() {
        StoredTensor liar = new StoredTensor() {
            @Override
            public DType dtype() {
                return DType.F32;
            }

            @Override
            public long[] shape() {
                return new long[] {3};
            }

            @Override
            public ByteBuffer read() {
                return ByteBuffer.allocate(8);
            }
        };
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Npz.write(dir.resolve("liar.npz"), Map.of("liar", liar)));
        assertTrue(e.getMessage().contains("tensor 'liar' gave 8 bytes of data, its dtype and shape need 12"),
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"savez.npz", "savez_compressed.npz"})
    void refusesEveryTruncation(String name) throws IOException {
        byte[] valid = Files.readAllBytes(CheckpointFixtures.file(name));
        Path file = dir.resolve("cut.npz");
        for (int length = 0; length < valid.length; length++) {
            Files.write(file, Arrays.copyOf(valid, length));
            assertRefused(file, Npz::open);
        }
    }

    @Test
    void checksEachMembersCrcWhenReading() throws IOException {
        byte[] bytes = Files.readAllBytes(CheckpointFixtures.file("savez.npz"));
        int name = indexOf(bytes, "fc.bias.npy".getBytes(StandardCharsets.US_ASCII)); // in the local header
        int extra = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getShort(name - 2);
        bytes[name + "fc.bias.npy".length() + extra + 128 + 8] ^= 1; // in the data, past the 128-byte .npy header
        Path file = dir.resolve("flipped.npz");
        Files.write(file, bytes);
        try (Checkpoint checkpoint = Npz.open(file)) {
            checkpoint.tensors().get("fc.weight").read();
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> checkpoint.tensors().get("fc.bias").read());
            assertTrue(e.getMessage().contains("member 'fc.bias.npy' is corrupt: its CRC-32 does not match"),
                    e.getMessage());
        }
    }

    @Test
    void refusesReadsAfterClose() throws IOException {
        Checkpoint checkpoint = Npz.open(CheckpointFixtures.file("savez.npz"));
        StoredTensor tensor = checkpoint.tensors().get("fc.weight");
        checkpoint.close();
        CheckpointException e = assertThrows(CheckpointException.class, tensor::read);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void refusesWhatNumpyWouldNotHaveWritten() throws IOException {
        byte[] npy = Files.readAllBytes(CheckpointFixtures.file("scalar.npy"));
        assertRefused(zip("text.npz", Map.of("notes.txt", npy), false), Npz::open,
                "member 'notes.txt' is not a .npy array");
        Path twice = zip("twice.npz", new LinkedHashMap<>(Map.of("a.npy", npy, "b.npy", npy)), false);
        byte[] bytes = Files.readAllBytes(twice);
        replaceAll(bytes, "b.npy", "a.npy");
        Files.write(twice, bytes);
        assertRefused(twice, Npz::open, "member 'a.npy' appears twice");
        byte[] longer = Arrays.copyOf(npy, npy.length + 3);
        assertRefused(zip("long.npz", Map.of("x.npy", longer), true), Npz::open,
                "member 'x.npy' has 3 bytes after its data");
        assertRefused(zip("short.npz", Map.of("x.npy", Arrays.copyOf(npy, npy.length - 3)), true), Npz::open,
                "member 'x.npy' is truncated");
        assertRefused(zip("garbage.npz", Map.of("x.npy", "hello".getBytes(StandardCharsets.US_ASCII)), false),
                Npz::open, "member 'x.npy' is not a .npy array");
    }

    @Test
    void refusesAZipBombBeforeAllocating() throws IOException {
        // A member of 1 KB of zeros whose central directory claims 2 GB: more than deflate can expand to.
        byte[] npy = Arrays.copyOf(Files.readAllBytes(CheckpointFixtures.file("scalar.npy")), 1024);
        Path file = zip("bomb.npz", Map.of("x.npy", npy), true);
        byte[] bytes = Files.readAllBytes(file);
        int central = lastIndexOf(bytes, new byte[] {'P', 'K', 1, 2});
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(central + 24, 0x7fff0000);
        Files.write(file, bytes);
        assertRefused(file, Npz::open, "more than deflate can expand to");
    }

    @Test
    void survivesRandomCorruption() throws IOException {
        for (String name : List.of("savez.npz", "savez_compressed.npz", "object_member.npz")) {
            CheckpointFixtures.fuzz(Files.readAllBytes(CheckpointFixtures.file(name)), dir, 3000, name.hashCode(),
                    Npz::open);
        }
    }

    private Path zip(String name, Map<String, byte[]> members, boolean deflate) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> member : members.entrySet()) {
                ZipEntry entry = new ZipEntry(member.getKey());
                if (!deflate) {
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(member.getValue());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(member.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(member.getValue());
                zip.closeEntry();
            }
        }
        Path file = dir.resolve(name);
        Files.write(file, out.toByteArray());
        return file;
    }

    private static List<String> names(ZipFile zip) {
        return zip.stream().map(ZipEntry::getName).toList();
    }

    private static int indexOf(byte[] bytes, byte[] pattern) {
        for (int i = 0; i + pattern.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + pattern.length, pattern, 0, pattern.length)) {
                return i;
            }
        }
        throw new AssertionError("pattern not found");
    }

    private static int lastIndexOf(byte[] bytes, byte[] pattern) {
        for (int i = bytes.length - pattern.length; i >= 0; i--) {
            if (Arrays.equals(bytes, i, i + pattern.length, pattern, 0, pattern.length)) {
                return i;
            }
        }
        throw new AssertionError("pattern not found");
    }

    private static void replaceAll(byte[] bytes, String from, String to) {
        byte[] pattern = from.getBytes(StandardCharsets.US_ASCII);
        byte[] replacement = to.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + pattern.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + pattern.length, pattern, 0, pattern.length)) {
                System.arraycopy(replacement, 0, bytes, i, replacement.length);
            }
        }
    }
}
