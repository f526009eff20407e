package org.repzoo.weights.format.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.repzoo.weights.format.Checkpoints;
import org.repzoo.weights.format.TorchCheckpoints;

/**
 * Fuzzes the {@code torch.save} readers. {@link #pthFile} takes whole files (zip and legacy layouts, seeded with the
 * committed .pth fixtures); since mutating a zip mostly exercises java.util.zip, {@link #dataPkl} takes the pickle
 * alone and wraps it as the {@code data.pkl} of an otherwise valid checkpoint, so the mutations reach
 * {@code RestrictedUnpickler} and the storage checks directly. Seeds: {@code TorchCheckpointFuzzTestInputs/<method>/}.
 */
class TorchCheckpointFuzzTest {

    /** Storages {@code data/0} to {@code data/15} of the wrapper, large enough for every fixture's pickle. */
    private static final int STORAGES = 16;
    private static final byte[] STORAGE = new byte[512];

    static {
        for (int i = 0; i < STORAGE.length; i++) {
            STORAGE[i] = (byte) (i * 37 + 11);
        }
    }

    @DictionaryEntries({"PK", "data.pkl", "/data/", "byteorder", "big", "constants.pkl", "code/", "storage",
            "collections", "OrderedDict", "torch._utils", "_rebuild_tensor_v2", "FloatStorage", "state_dict"})
    @FuzzTest(maxDuration = "40s")
    void pthFile(byte[] input) throws IOException {
        Path file = FuzzHarness.write(input);
        FuzzHarness.call(file, Checkpoints::detect);
        FuzzHarness.openReadClose(file, TorchCheckpoints::openZip);
        FuzzHarness.openReadClose(file, TorchCheckpoints::openLegacy);
    }

    // Tokens of the allowed globals (a GLOBAL opcode names them as "module\nname\n"; a dictionary entry has no newline).
    @DictionaryEntries({"storage", "cpu", "state_dict", "model", "latin1", "collections", "OrderedDict", "torch",
            "torch._utils", "_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_parameter",
            "_rebuild_parameter_with_state", "torch._tensor", "_rebuild_from_type_v2", "Tensor", "torch.nn.parameter",
            "Parameter", "Size", "builtins", "set", "frozenset", "_codecs", "encode", "FloatStorage", "HalfStorage",
            "BFloat16Storage", "DoubleStorage", "LongStorage", "IntStorage", "ShortStorage", "CharStorage",
            "ByteStorage", "BoolStorage"})
    @FuzzTest(maxDuration = "40s")
    void dataPkl(byte[] pickle) throws IOException {
        Path file = FuzzHarness.write(checkpointWith(pickle));
        FuzzHarness.openReadClose(file, TorchCheckpoints::openZip);
    }

    /** A zip-format checkpoint as torch.save lays it out, with the given data.pkl. */
    private static byte[] checkpointWith(byte[] pickle) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(pickle.length + STORAGES * (STORAGE.length + 128));
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, "archive/data.pkl", pickle);
            stored(zip, "archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            for (int key = 0; key < STORAGES; key++) {
                stored(zip, "archive/data/" + key, STORAGE);
            }
            stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(content.length);
        CRC32 crc = new CRC32();
        crc.update(content);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }
}
