package org.repzoo.weights.format.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import org.repzoo.weights.format.Npy;
import org.repzoo.weights.format.Npz;

/**
 * Fuzzes the NumPy readers: every input goes to {@link Npz#open} and to {@link Npy#read} (the header parser is shared;
 * a standalone .npy reaches it without a zip around it). Seeds, the committed .npz and .npy fixtures:
 * {@code NpzFuzzTestInputs/npzOrNpyFile/}.
 */
class NpzFuzzTest {

    @DictionaryEntries({"PK", ".npy", "NUMPY", "{'descr': ", "'fortran_order': ", "'shape': ", "'<f4'", "'>f8'",
            "'<f2'", "'|b1'", "'|u1'", "'<i8'", "'>i2'", "'O'", "True", "False", "None", "(2, 3)", ",)", "}"})
    @FuzzTest(maxDuration = "40s")
    void npzOrNpyFile(byte[] input) throws IOException {
        Path file = FuzzHarness.write(input);
        FuzzHarness.openReadClose(file, Npz::open);
        FuzzHarness.call(file, Npy::read);
    }
}
