package org.repzoo.weights.format.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import org.repzoo.weights.format.Safetensors;

/**
 * Fuzzes the safetensors reader: length prefix, JSON header, offsets, data. Seeds, the committed fixture and a few
 * hand-made files (metadata, every dtype, scalar and empty tensors): {@code SafetensorsFuzzTestInputs/safetensorsFile/}.
 */
class SafetensorsFuzzTest {

    @DictionaryEntries({"{\"", "\":{\"dtype\":\"", "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"",
            "\"F16\"", "\"BF16\"", "\"F32\"", "\"F64\"", "\"I8\"", "\"U8\"", "\"I16\"", "\"I32\"", "\"I64\"",
            "\"BOOL\"", "[0,0]", "[]", "},", "}}"})
    @FuzzTest(maxDuration = "40s")
    void safetensorsFile(byte[] input) throws IOException {
        Path file = FuzzHarness.write(input);
        FuzzHarness.openReadClose(file, Safetensors::open);
    }
}
