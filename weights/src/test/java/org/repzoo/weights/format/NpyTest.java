package org.repzoo.weights.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpyTest {

    private static final CheckpointFixtures.Opener AS_CHECKPOINT = file ->
            new Checkpoint(file, CheckpointFormat.NPZ, Map.of("array", Npy.read(file)), null, null);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"input.npy", "fortran_big.npy", "scalar.npy"})
    void readsWhatNumpySaved(String name) throws IOException {
        HostTensor tensor = Npy.read(CheckpointFixtures.file(name));
        CheckpointFixtures.assertTensor(CheckpointFixtures.expected(name).get("tensors").get("array"), tensor, name);
    }

    /** numpy.save 1.24's exact bytes, padding and room for growth included. */
    @ParameterizedTest
    @ValueSource(strings = {"input.npy", "scalar.npy"})
    void writesWhatNumpyWrites(String name) throws IOException {
        Path theirs = CheckpointFixtures.file(name);
        Path ours = dir.resolve(name);
        Npy.write(ours, Npy.read(theirs));
        assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(ours));
    }

    @Test
    void roundTripsEveryNumpyType() throws IOException {
        List<long[]> shapes = List.of(new long[] {}, new long[] {5}, new long[] {2, 3, 4}, new long[] {0, 3},
                new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 7});
        long seed = 0;
        for (DType dtype : DType.values()) {
            if (dtype == DType.BF16) {
                continue;
            }
            for (long[] shape : shapes) {
                HostTensor tensor = CheckpointFixtures.randomTensor(dtype, shape, seed++);
                Path file = dir.resolve(dtype + "-" + shape.length + ".npy");
                Npy.write(file, tensor);
                assertEquals(0, (Files.size(file) - tensor.read().remaining()) % 64, "data 64-byte aligned");
                HostTensor back = Npy.read(file);
                assertEquals(dtype, back.dtype());
                assertArrayEquals(shape, back.shape());
                assertArrayEquals(bytes(tensor.read()), bytes(back.read()), dtype + Arrays.toString(shape));
            }
        }
    }

    @Test
    void refusesBfloat16WithoutLeavingAFile() throws IOException {
        Path file = dir.resolve("bf16.npy");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Npy.write(file,
                CheckpointFixtures.randomTensor(DType.BF16, new long[] {2}, 1)));
        assertTrue(e.getMessage().contains("BF16, which NumPy has no dtype for"), e.getMessage());
        assertDirectoryHolds(dir);
    }

    @Test
    void failingWriterLeavesTheOldFileAlone() throws IOException {
        Path file = dir.resolve("kept.npy");
        Npy.write(file, HostTensor.ofFloats(new long[] {2}, 1, 2));
        byte[] before = Files.readAllBytes(file);
        IOException e = assertThrows(IOException.class, () -> Npy.write(file, CheckpointFixtures.failingTensor()));
        assertEquals("disk on fire", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertDirectoryHolds(dir, "kept.npy");
    }

    @Test
    void readsEveryByteOrderMarkAndVersion() throws IOException {
        float[] values = {1.5f, -2f, 3.25f};
        for (String descr : List.of("<f4", "=f4", "|f4", "f4")) {
            Path file = write("order.npy", 1, dict(descr, false, "(3,)"), floats(ByteOrder.LITTLE_ENDIAN, values));
            assertFloats(values, Npy.read(file));
        }
        Path big = write("big.npy", 1, dict(">f4", false, "(3,)"), floats(ByteOrder.BIG_ENDIAN, values));
        assertFloats(values, Npy.read(big));
        for (int version : new int[] {2, 3}) {
            Path file = write("v" + version + ".npy", version, dict("<f4", false, "(3,)"),
                    floats(ByteOrder.LITTLE_ENDIAN, values));
            assertFloats(values, Npy.read(file));
        }
        // Python 2's numpy wrote long dimensions with an L; numpy reads them still, and so do we.
        Path python2 = write("py2.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3L,), }",
                floats(ByteOrder.LITTLE_ENDIAN, values));
        assertFloats(values, Npy.read(python2));
        Path spaced = write("spaced.npy", 1, "{ \"shape\" : ( 3 , ) ,\"fortran_order\":False,'descr':u'<f4'}",
                floats(ByteOrder.LITTLE_ENDIAN, values));
        assertFloats(values, Npy.read(spaced));
    }

    @Test
    void transposesFortranOrderOfAnyRank() throws IOException {
        // shape (2, 3, 2) in Fortran order: element (i, j, k) sits at i + 2j + 6k.
        float[] fortran = new float[12];
        float[] c = new float[12];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 2; k++) {
                    float value = 100 * i + 10 * j + k;
                    fortran[i + 2 * j + 6 * k] = value;
                    c[(i * 3 + j) * 2 + k] = value;
                }
            }
        }
        assertFloats(c, Npy.read(write("f.npy", 1, dict("<f4", true, "(2, 3, 2)"),
                floats(ByteOrder.LITTLE_ENDIAN, fortran))));
        assertFloats(new float[] {1, 2}, Npy.read(write("f1.npy", 1, dict("<f4", true, "(2,)"),
                floats(ByteOrder.LITTLE_ENDIAN, new float[] {1, 2}))));
        HostTensor empty = Npy.read(write("f0.npy", 1, dict("<f4", true, "(0, 3)"), new byte[0]));
        assertArrayEquals(new long[] {0, 3}, empty.shape());
    }

    @Test
    void refusesNonNumericTypesNamingThem() throws IOException {
        String lead = "the array has dtype ";
        refused(dict("|O", false, "(2,)"), new byte[16], lead + "'|O': only numeric arrays are supported");
        refused(dict("<U3", false, "(2,)"), new byte[24], lead + "'<U3': only numeric arrays are supported");
        refused(dict("|S5", false, "(2,)"), new byte[10], "'|S5': only numeric arrays are supported");
        refused(dict("<M8[ns]", false, "(1,)"), new byte[8], "'<M8[ns]': only numeric arrays are supported");
        refused(dict("<m8[s]", false, "(1,)"), new byte[8], "'<m8[s]': only numeric arrays are supported");
        refused(dict("|V8", false, "(1,)"), new byte[8], "'|V8': only numeric arrays are supported");
        refused(dict("<c8", false, "(1,)"), new byte[8], "'<c8': complex arrays are not supported");
        refused(dict("<u4", false, "(1,)"), new byte[4], "'<u4', which RepZoo does not read");
        refused(dict("<f16", false, "(1,)"), new byte[16], "'<f16', which RepZoo does not read");
        refused(dict("float32", false, "(1,)"), new byte[4], "'float32', which RepZoo does not read");
        refused("{'descr': [('x', '<f4'), ('y', '<i4')], 'fortran_order': False, 'shape': (1,), }", new byte[8],
                "has a structured dtype: only numeric arrays are supported");
    }

    @Test
    void refusesMalformedHeaders() throws IOException {
        byte[] data = new byte[8];
        refused("{'descr': '<f4', 'fortran_order': False, }", data, "no 'shape'");
        refused("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", data, "unexpected key 'x'");
        refused("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", data, "'shape' that is not a tuple");
        refused("{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", data, "'shape' that is not a tuple");
        refused("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", data, "not True or False");
        refused("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", data, "non-negative integers");
        refused("{'descr': '<f4', 'fortran_order': False, 'shape': (2.0,)}", data, "not a decimal integer");
        refused("{'descr': '<f4', 'fortran_order': False, 'shape': (True,)}", data, "non-negative integers");
        refused("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", data, "too large");
        refused("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}", data, "overflows");
        refused("{'descr': '<f4', 'fortran_order': False, 'shape': (1073741824,)}", data, "the most one tensor");
        refused("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", data, "twice");
        refused("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} junk", data, "after the dict");
        refused("{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}", data, "not a valid dict literal");
        refused("{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}", data, "where ',' should be");
        refused("{'descr' '<f4', 'fortran_order': False, 'shape': (2,)}", data, "where ':' should be");
        refused("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", data, "ends before its closing '}'");
        refused("['descr', '<f4']", data, "not a dict");
        refused("{'descr': '<f4', 'fortran_order': False, 'shape': " + "(".repeat(5000) + "}", data,
                "nested more than");
        refused("{'descr': '<f4', 'fortran_order': False, 'shape': (" + "1, ".repeat(65) + ")}", data,
                "65 dimensions");
        refused(dict("<f4", false, "(3,)"), data, "the array is truncated: its header needs 12 bytes");
        refused(dict("<f4", false, "(1,)"), data, "4 bytes after its data");
    }

    @Test
    void refusesBadPrefixes() throws IOException {
        byte[] valid = Files.readAllBytes(CheckpointFixtures.file("input.npy"));
        Path file = dir.resolve("bad.npy");
        byte[] magic = valid.clone();
        magic[1] = 'X';
        Files.write(file, magic);
        assertRefused(file, AS_CHECKPOINT, "not a .npy array");
        byte[] version = valid.clone();
        version[6] = 4;
        Files.write(file, version);
        assertRefused(file, AS_CHECKPOINT, "version 4.0");
        byte[] huge = valid.clone();
        huge[8] = (byte) 0xff;
        huge[9] = (byte) 0xff;
        Files.write(file, huge);
        assertRefused(file, AS_CHECKPOINT, "header claims 65535 bytes");
        Files.write(file, new byte[0]);
        assertRefused(file, AS_CHECKPOINT, "truncated");
        assertRefused(dir.resolve("missing.npy"), AS_CHECKPOINT, "no such file");
    }

    @Test
    void refusesEveryTruncation() throws IOException {
        byte[] valid = Files.readAllBytes(CheckpointFixtures.file("input.npy"));
        Path file = dir.resolve("cut.npy");
        for (int length = 0; length < valid.length; length++) {
            Files.write(file, Arrays.copyOf(valid, length));
            assertRefused(file, AS_CHECKPOINT, "cut.npy: ");
        }
    }

    @Test
    void survivesRandomCorruption() throws IOException {
        for (String name : List.of("input.npy", "fortran_big.npy", "scalar.npy")) {
            CheckpointFixtures.fuzz(Files.readAllBytes(CheckpointFixtures.file(name)), dir, 3000, name.hashCode(),
                    AS_CHECKPOINT);
        }
    }

    private void refused(String dict, byte[] data, String fragment) throws IOException {
        assertRefused(write("refused.npy", 1, dict, data), AS_CHECKPOINT, fragment);
    }

    private static String dict(String descr, boolean fortran, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape
                + ", }";
    }

    /** A .npy file with the given header dict, padded as numpy pads it. */
    private Path write(String name, int version, String dict, byte[] data) throws IOException {
        byte[] text = dict.getBytes(StandardCharsets.ISO_8859_1);
        int lengthBytes = version == 1 ? 2 : 4;
        int unpadded = 8 + lengthBytes + text.length + 1;
        int length = text.length + 1 + (64 - unpadded % 64) % 64;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Npy.MAGIC);
        out.write(version);
        out.write(0);
        ByteBuffer field = ByteBuffer.allocate(lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
        if (version == 1) {
            field.putShort((short) length);
        } else {
            field.putInt(length);
        }
        out.write(field.array());
        out.write(text);
        out.write(" ".repeat(length - text.length - 1).getBytes(StandardCharsets.US_ASCII));
        out.write('\n');
        out.write(data);
        Path file = dir.resolve(name);
        Files.write(file, out.toByteArray());
        return file;
    }

    private static byte[] floats(ByteOrder order, float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(order);
        for (float value : values) {
            buffer.putFloat(value);
        }
        return buffer.array();
    }

    private static void assertFloats(float[] expected, HostTensor tensor) throws IOException {
        assertEquals(DType.F32, tensor.dtype());
        float[] actual = new float[expected.length];
        tensor.read().asFloatBuffer().get(actual);
        assertArrayEquals(expected, actual);
    }
}
