package org.repzoo.weights.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.repzoo.zoo.Fixtures;

/**
 * The torch.save reader against checkpoints written by PyTorch 1.13 (tools/reference/torch_checkpoint_fixtures.py):
 * exact bytes and values of every tensor, the refusal of anything that is not tensors and plain containers, and
 * clean failures (a CheckpointException, nothing else) on truncated, corrupted and hand-made hostile files.
 */
class TorchCheckpointsTest {

    private static final String MADE_BY = "/usr/bin/python3 tools/reference/torch_checkpoint_fixtures.py "
            + "weights/src/test/resources/checkpoint";
    private static JsonNode expected;

    @TempDir
    Path temp;

    @BeforeAll
    static void loadExpected() {
        expected = Fixtures.json("/checkpoint/torch_expected.json", MADE_BY);
    }

    static Stream<String> readable() {
        return fixtures("tensors");
    }

    static Stream<String> forbidden() {
        return fixtures("forbidden");
    }

    private static Stream<String> fixtures(String field) {
        List<String> names = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> entries = Fixtures.json("/checkpoint/torch_expected.json", MADE_BY).fields();
        entries.forEachRemaining(e -> {
            if (e.getValue().has(field)) {
                names.add(e.getKey());
            }
        });
        return names.stream();
    }

    private Path fixture(String name) throws IOException {
        Path file = temp.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/checkpoint/" + name)) {
            if (in == null) {
                throw new IllegalStateException(name + " missing: run " + MADE_BY);
            }
            Files.copy(in, file);
        }
        return file;
    }

    // ---- fixtures written by PyTorch ---------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("readable")
    void everyTensorMatchesTorchExactly(String name) throws IOException {
        JsonNode facts = expected.get(name);
        Path file = fixture(name);
        try (Checkpoint checkpoint = Checkpoints.open(file)) {
            assertEquals(CheckpointFormat.valueOf(facts.get("format").asText()), checkpoint.format());
            assertEquals(facts.get("wrapper").isNull() ? null : facts.get("wrapper").asText(), checkpoint.wrapper());
            List<String> keys = new ArrayList<>();
            facts.get("tensors").forEach(t -> keys.add(t.get("key").asText()));
            assertEquals(keys, new ArrayList<>(checkpoint.tensors().keySet()), "keys in the pickle's order");
            for (JsonNode fact : facts.get("tensors")) {
                String key = fact.get("key").asText();
                StoredTensor tensor = checkpoint.tensors().get(key);
                DType dtype = DType.valueOf(fact.get("dtype").asText());
                assertEquals(dtype, tensor.dtype(), key);
                long[] shape = new long[fact.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = fact.get("shape").get(i).asLong();
                }
                assertArrayEquals(shape, tensor.shape(), key);
                for (int pass = 0; pass < 2; pass++) { // a tensor reads again
                    ByteBuffer data = tensor.read();
                    assertEquals(0, data.position());
                    assertEquals(ByteOrder.LITTLE_ENDIAN, data.order());
                    byte[] bytes = new byte[data.remaining()];
                    data.duplicate().get(bytes);
                    assertEquals(fact.get("hex").asText(), HexFormat.of().formatHex(bytes), key);
                    JsonNode values = fact.get("values");
                    assertEquals(values.size(), tensor.numel(), key);
                    for (int i = 0; i < values.size(); i++) {
                        assertEquals(values.get(i).asDouble(), element(data, dtype, i), key + "[" + i + "]");
                    }
                }
            }
        }
    }

    /** Element {@code i} as the number it stands for, decoded independently of the reader. */
    private static double element(ByteBuffer data, DType dtype, int i) {
        return switch (dtype) {
            case F16 -> halfToFloat(data.getShort(2 * i));
            case BF16 -> Float.intBitsToFloat(data.getShort(2 * i) << 16);
            case F32 -> data.getFloat(4 * i);
            case F64 -> data.getDouble(8 * i);
            case I8 -> data.get(i);
            case U8, BOOL -> data.get(i) & 0xff;
            case I16 -> data.getShort(2 * i);
            case I32 -> data.getInt(4 * i);
            case I64 -> data.getLong(8 * i);
        };
    }

    private static float halfToFloat(short bits) {
        int sign = bits >> 15 & 1;
        int exponent = bits >> 10 & 0x1f;
        int mantissa = bits & 0x3ff;
        float magnitude = exponent == 0 ? mantissa * 0x1p-24f
                : exponent == 31 ? (mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN)
                : (1 + mantissa / 1024f) * (float) Math.pow(2, exponent - 15);
        return sign == 1 ? -magnitude : magnitude;
    }

    @Test
    void theTrainingCheckpointsOtherEntriesAreIgnored() throws IOException {
        try (Checkpoint checkpoint = Checkpoints.open(fixture("zip_wrapped_state_dict.pth"))) {
            assertEquals("state_dict", checkpoint.wrapper());
            assertFalse(checkpoint.tensors().containsKey("best_acc1"));
            assertFalse(checkpoint.tensors().containsKey("epoch"));
        }
    }

    @ParameterizedTest
    @MethodSource("forbidden")
    void forbiddenGlobalsAreRefusedAndNamed(String name) throws IOException {
        Path file = fixture(name);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(file).close());
        String global = expected.get(name).get("forbidden").asText();
        assertEquals(name + ": forbidden global " + global + " in the pickle: a checkpoint may only hold tensors and "
                + "plain containers (RepZoo never runs code from a checkpoint)", e.getMessage());
        assertEquals(file, e.file());
    }

    @Test
    void torchScriptArchivesAreRecognised() throws IOException {
        Path file = fixture("torchscript.pt");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(file).close());
        assertTrue(e.getMessage().contains("TorchScript archive (torch.jit.save)"), e.getMessage());
    }

    @Test
    void theTarFormatOfEarlyPyTorchIsRecognised() throws IOException {
        byte[] tar = new byte[1024];
        System.arraycopy("storages".getBytes(), 0, tar, 0, 8);
        System.arraycopy("ustar".getBytes(), 0, tar, 257, 5);
        Path file = Files.write(temp.resolve("old.pth"), tar);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoints.openLegacy(file));
        assertTrue(e.getMessage().contains("early PyTorch"), e.getMessage());
        assertEquals(CheckpointFormat.TORCH_LEGACY, Checkpoints.detect(file), "so Checkpoints.open explains too");
    }

    @Test
    void readingAfterCloseFailsCleanly() throws IOException {
        for (String name : List.of("zip_state_dict.pth", "legacy_state_dict.pth")) {
            Checkpoint checkpoint = Checkpoints.open(fixture(name));
            StoredTensor tensor = checkpoint.tensors().values().iterator().next();
            checkpoint.close();
            assertThrows(CheckpointException.class, tensor::read, name);
        }
    }

    // ---- structure of the top level ----------------------------------------------------------------------------

    private static final long[] ONE = {1};

    @Test
    void aDictWithoutTensorsIsDescribed() throws IOException {
        byte[] pickle = new PickleBuilder().op('}', '(').str("epoch").integer(3).str("optimizer").op('}')
                .str("net").op(']', 'u').stop();
        Path file = PickleBuilder.zip(temp.resolve("x.pth"), pickle, Map.of());
        assertMessage(file, "x.pth: top level is a dict with keys [epoch, optimizer, net]: no state_dict, model or "
                + "tensor dict found");
    }

    @Test
    void aNonTensorInTheStateDictIsNamed() throws IOException {
        byte[] pickle = new PickleBuilder().op('}', '(').str("epoch").integer(3).str("state_dict").op('}', '(')
                .str("fc.weight").tensor("FloatStorage", "0", 1, 0, ONE, ONE).str("fc.note").str("hi")
                .op('u', 'u').stop();
        Path file = PickleBuilder.zip(temp.resolve("x.pth"), pickle, Map.of("0", PickleBuilder.floats(1)));
        assertMessage(file, "x.pth: the state_dict under 'state_dict' maps 'fc.note' to a str, not a tensor");
    }

    @Test
    void theTopLevelMayNotBeAList() throws IOException {
        Path file = PickleBuilder.zip(temp.resolve("x.pth"), new PickleBuilder().op(']').stop(), Map.of());
        assertMessage(file, "x.pth: top level is a list, not a dict: no state_dict found");
    }

    @Test
    void aModelWrapperIsFound() throws IOException {
        byte[] pickle = new PickleBuilder().op('}', '(').str("model").op('}').str("w")
                .legacyTensor("DoubleStorage", "k", 2, 1, ONE, ONE).op('s').str("epoch").integer(9).op('u').stop();
        Path file = PickleBuilder.legacy(temp.resolve("x.pth"), pickle,
                Map.of("k", new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xf0, 0x3f}), 8);
        try (Checkpoint checkpoint = Checkpoints.open(file)) {
            assertEquals("model", checkpoint.wrapper());
            assertEquals(1.0, checkpoint.tensors().get("w").read().getDouble(0));
        }
    }

    @Test
    void tensorsOutsideTheirStorageAreRefused() throws IOException {
        byte[] pickle = new PickleBuilder().op('}').str("w").tensor("FloatStorage", "0", 4, 1, new long[] {2, 2},
                new long[] {2, 1}).op('s').stop(); // last element is 1 + 2 + 1 = 4, storage holds 0..3
        Path file = PickleBuilder.zip(temp.resolve("x.pth"), pickle, Map.of("0", PickleBuilder.floats(1, 2, 3, 4)));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(file));
        assertTrue(e.getMessage().contains("reaches element 4 of storage '0', which has 4"), e.getMessage());
    }

    @Test
    void aStorageEntryShorterThanDeclaredIsRefusedAtOpen() throws IOException {
        byte[] pickle = new PickleBuilder().op('}').str("w").tensor("FloatStorage", "0", 4, 0, ONE, ONE).op('s')
                .stop();
        Path file = PickleBuilder.zip(temp.resolve("x.pth"), pickle, Map.of("0", PickleBuilder.floats(1, 2, 3)));
        assertMessage(file, "x.pth: truncated: storage '0' needs 16 bytes, its entry has 12");
        Path missing = PickleBuilder.zip(temp.resolve("y.pth"), pickle, Map.of());
        assertMessage(missing, "y.pth: storage '0' is missing: no entry archive/data/0");
    }

    @Test
    void shapesThatOverflowAreRefused() throws IOException {
        long big = 1L << 40;
        byte[] pickle = new PickleBuilder().op('}').str("w").tensor("FloatStorage", "0", 1, 0,
                new long[] {big, big, 0}, new long[] {0, 0, 0}).op('s').stop();
        Path file = PickleBuilder.zip(temp.resolve("x.pth"), pickle, Map.of("0", PickleBuilder.floats(1)));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(file));
        assertTrue(e.getMessage().contains("overflows"), e.getMessage());
    }

    @Test
    void aTensorLargerThanOneBufferIsRefusedWithoutReadingIt() throws IOException {
        byte[] pickle = new PickleBuilder().op('}').str("w").tensor("FloatStorage", "0", 1, 0,
                new long[] {1L << 30}, new long[] {0}).op('s').stop(); // expanded: 4 GiB from one element
        Path file = PickleBuilder.zip(temp.resolve("x.pth"), pickle, Map.of("0", PickleBuilder.floats(1)));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(file));
        assertTrue(e.getMessage().contains("larger than"), e.getMessage());
    }

    private static void assertMessage(Path file, String message) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(file).close());
        assertEquals(message, e.getMessage());
    }

    // ---- the unpickler on hostile input ------------------------------------------------------------------------

    private Object unpickle(byte[] pickle) throws CheckpointException {
        return new RestrictedUnpickler(temp.resolve("p.pkl"), "test", PickleInput.of(pickle), null).load();
    }

    @Test
    void containersThatHoldThemselvesDoNotLoop() throws IOException {
        // l = []; l.append(l); d = {}; d[l] = d; d[d] = l  (unhashable keys are kept by identity)
        byte[] pickle = new PickleBuilder().op(']', 'q', 0, 'h', 0, 'a', '}', 'q', 1, 'h', 0, 'h', 1, 's', 'h', 1,
                'h', 0, 's', 'h', 1, 'h', 1, 'b', 0x86).stop();
        Object value = unpickle(pickle);
        assertEquals("tuple", RestrictedUnpickler.typeName(value));
        Path file = PickleBuilder.zip(temp.resolve("x.pth"), pickle, Map.of());
        assertMessage(file, "x.pth: top level is a tuple, not a dict: no state_dict found");
    }

    @Test
    void deepNestingNeedsNoRecursion() throws IOException {
        PickleBuilder pickle = new PickleBuilder();
        int depth = 200_000;
        for (int i = 0; i < depth; i++) {
            pickle.op(']');
        }
        for (int i = 1; i < depth; i++) {
            pickle.op('a');
        }
        assertEquals("list", RestrictedUnpickler.typeName(unpickle(pickle.stop())));
    }

    @Test
    void aMemoReferenceCannotMultiplyWork() {
        // pairs = [(0, 0)] * 10000 via DUP; then OrderedDict(pairs) over and over, a few bytes per call
        PickleBuilder pickle = new PickleBuilder().global("collections", "OrderedDict").op('q', 0, ']', '(', 'K', 0,
                'K', 0, 0x86);
        for (int i = 0; i < 10_000; i++) {
            pickle.op('2');
        }
        pickle.op('e', 0x85, 'q', 1);
        for (int i = 0; i < 100_000; i++) {
            pickle.op('h', 0, 'h', 1, 'R', '0');
        }
        CheckpointException e = assertThrows(CheckpointException.class, () -> unpickle(pickle.stop()));
        assertTrue(e.getMessage().contains("copy more elements than the pickle's size allows"), e.getMessage());
    }

    @Test
    void lengthsBeyondTheInputAreRefusedBeforeAllocating() {
        for (byte[] pickle : List.of(
                new PickleBuilder().op(0x8d).raw(PickleBuilder.le(1L << 62, 8)).stop(), // BINUNICODE8
                new PickleBuilder().op('B', 0xff, 0xff, 0xff, 0xff).stop(), // BINBYTES 4 GiB
                new PickleBuilder().op(0x8b, 0xff, 0xff, 0xff, 0x7f).stop(), // LONG4 2 GiB
                new PickleBuilder().op('T', 0, 0, 0, 0x80).stop(), // BINSTRING negative
                new PickleBuilder().op(0x8e).raw(PickleBuilder.le(-1, 8)).stop())) { // BINBYTES8 negative
            CheckpointException e = assertThrows(CheckpointException.class, () -> unpickle(pickle));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void malformedPicklesAreRefused() {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("stack underflow", new PickleBuilder().op('a').stop());
        cases.put("underflow", new PickleBuilder().op(']', '(', 'a').stop()); // APPEND may not reach below a MARK
        cases.put("no MARK", new PickleBuilder().op('t').stop());
        cases.put("read before it was written", new PickleBuilder().op('h', 7).stop());
        cases.put("not a dict", new PickleBuilder().op(']', 'N', 'N', 's').stop());
        cases.put("odd number", new PickleBuilder().op('(', 'N', 'd').stop());
        cases.put("protocol 6", new PickleBuilder().op(0x80, 6, 'N').stop());
        cases.put("without a STOP", new byte[] {(byte) 0x80, 2, ']'});
        cases.put("not valid UTF-8", new PickleBuilder().op('X', 1, 0, 0, 0, 0xff).stop());
        cases.put("only OrderedDict", new PickleBuilder().global("torch", "Size").op(')', 0x81).stop());
        cases.put("cannot be called", new PickleBuilder().global("torch", "FloatStorage").op(')', 'R').stop());
        cases.put("persistent id", new PickleBuilder().op('N', 'Q').stop());
        cases.put("text protocols", new PickleBuilder().op('I').raw("1\n".getBytes()).stop());
        cases.put("longer than 256", new PickleBuilder().op('c').raw(new byte[300]).stop());
        cases.put("tuple or list", new PickleBuilder().global("torch", "Size").op('N', 0x85, 'R').stop());
        for (Map.Entry<String, byte[]> c : cases.entrySet()) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> unpickle(c.getValue()), c.getKey());
            assertTrue(e.getMessage().contains(c.getKey()), c.getKey() + " -> " + e.getMessage());
        }
    }

    @Test
    void plainValuesReadAsInPython() throws CheckpointException {
        byte[] pickle = new PickleBuilder().op('(').integer(-5).integer(1L << 40).op(0x8a, 9)
                .raw(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 1}).op('G').raw(ByteBuffer.allocate(8).putDouble(0.25)
                        .array()).op('N', 0x88, 'C', 2, 'h', 'i', 'M', 0xe9, 0x03).global("_codecs", "encode")
                .str("\u00e9").str("latin1").op(0x86, 'R').global("builtins", "set").op(']', 'K', 1, 'a', 0x85, 'R')
                .op('t').stop();
        List<Object> items = ((RestrictedUnpickler.Tuple) unpickle(pickle)).items;
        assertEquals(-5L, items.get(0));
        assertEquals(1L << 40, items.get(1));
        assertEquals(java.math.BigInteger.ONE.shiftLeft(64), items.get(2));
        assertEquals(0.25, items.get(3));
        assertNull(items.get(4));
        assertEquals(true, items.get(5));
        assertArrayEquals("hi".getBytes(), (byte[]) items.get(6));
        assertEquals(1001L, items.get(7));
        assertArrayEquals(new byte[] {(byte) 0xe9}, (byte[]) items.get(8));
        assertEquals(List.of(1L), ((RestrictedUnpickler.PySet) items.get(9)).items);
    }

    // ---- damaged files -----------------------------------------------------------------------------------------

    /**
     * Opens (as the format of the undamaged file) and reads every tensor; a damaged file may still read (a flipped
     * data byte), else it fails with a CheckpointException.
     */
    private static boolean opensAndReads(Path file, boolean zip) {
        try (Checkpoint checkpoint = zip ? TorchCheckpoints.openZip(file) : TorchCheckpoints.openLegacy(file)) {
            for (StoredTensor tensor : checkpoint.tensors().values()) {
                tensor.read();
            }
            return true;
        } catch (CheckpointException e) {
            if (e.getMessage().contains("internal error")) {
                fail(file.getFileName() + ": " + e.getMessage(), e);
            }
            return false;
        } catch (Throwable t) {
            return fail(file.getFileName() + ": " + t, t);
        }
    }

    @ParameterizedTest
    @MethodSource("readable")
    void truncatedFilesAreRefused(String name) throws IOException {
        byte[] whole = Files.readAllBytes(fixture(name));
        Path file = temp.resolve("cut-" + name);
        int step = name.startsWith("legacy") ? 1 : 5;
        for (int length = 1; length < whole.length; length += step) {
            Files.write(file, java.util.Arrays.copyOf(whole, length));
            assertFalse(opensAndReads(file, name.startsWith("zip")), name + " cut to " + length + " bytes");
        }
    }

    @ParameterizedTest
    @MethodSource("readable")
    void corruptedFilesReadOrFailCleanly(String name) throws IOException {
        byte[] whole = Files.readAllBytes(fixture(name));
        Random random = new Random(name.hashCode());
        Path file = temp.resolve("bad-" + name);
        for (int trial = 0; trial < 400; trial++) {
            byte[] bytes = whole.clone();
            int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips; i++) {
                int at = random.nextInt(bytes.length);
                bytes[at] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : bytes[at] ^ 1 << random.nextInt(8));
            }
            Files.write(file, bytes);
            opensAndReads(file, name.startsWith("zip"));
            opensAndReads(file, !name.startsWith("zip"));
        }
    }
}
