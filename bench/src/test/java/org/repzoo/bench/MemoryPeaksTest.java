package org.repzoo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What {@link MemoryPeaks} means, measured against a block of known size: a section's peak rises by the block while it
 * lives, stays up after it is freed (a peak, not the current use), and a reset brings it back down to what is in use.
 * A MemoryPeaks that returned constants, read the current use instead of the peak, or forgot a reset fails here.
 */
class MemoryPeaksTest {

    private static final long BLOCK = 200L << 20;
    /** Most of the block: the process may give back a few other pages while the block is touched. */
    private static final long MOST = BLOCK * 9 / 10;
    private static final long SLACK = BLOCK - MOST;

    @Test
    @EnabledOnOs(OS.LINUX)
    void residentPeakCoversATouchedOffHeapBlockUntilAReset() {
        MemoryPeaks peaks = new MemoryPeaks();
        Nd4j.create(DataType.BYTE, 1).close(); // ND4J's native library resident before the section starts
        peaks.reset();
        assertEquals(clearRefsWritable(), peaks.residentPeakIsSectionPeak(),
                "a section peak exactly where the kernel lets the process reset its high-water mark");
        long start = MemoryPeaks.residentPeakBytes();
        long residentAtStart = MemoryPeaks.residentBytes();
        assertTrue(start > 0 && residentAtStart > 0, start + " peak, " + residentAtStart + " resident");

        // Off the Java heap, as ND4J keeps weights and activations: fresh pages from the OS, each one written.
        INDArray block = Nd4j.create(DataType.BYTE, BLOCK);
        block.assign(1);
        long peak = MemoryPeaks.residentPeakBytes();
        assertTrue(MemoryPeaks.residentBytes() - residentAtStart >= MOST,
                "resident memory rose by " + (MemoryPeaks.residentBytes() - residentAtStart) + " bytes for " + BLOCK);
        assertTrue(peak - start >= MOST, "the peak rose by " + (peak - start) + " bytes for " + BLOCK + " touched");

        block.close();
        long residentAfterFree = MemoryPeaks.residentBytes();
        assertTrue(peak - residentAfterFree >= MOST, "freeing the block gave back "
                + (peak - residentAfterFree) + " bytes of " + BLOCK);
        // The kernel's resident counters are per-thread caches synced now and then, so the mark may move by a few
        // pages either way; it stays within SLACK while the resident set falls by most of the block.
        assertTrue(MemoryPeaks.residentPeakBytes() >= peak - SLACK, "the peak outlives the memory that made it: "
                + MemoryPeaks.residentPeakBytes() + " after the block was freed, " + peak + " before");

        peaks.reset();
        long afterReset = MemoryPeaks.residentPeakBytes();
        if (peaks.residentPeakIsSectionPeak()) {
            assertTrue(peak - afterReset >= MOST, "the reset brought the peak from " + peak + " to " + afterReset
                    + " bytes, with " + residentAfterFree + " resident");
        } else {
            // The class's documented fallback: without clear_refs the peak covers the process's whole life.
            assertTrue(afterReset >= peak - SLACK, "without a reset the peak stays: " + peak + " -> " + afterReset);
        }
    }

    @Test
    void heapPeakCoversALargeArrayUntilAReset() {
        MemoryPeaks peaks = new MemoryPeaks();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        peaks.reset();
        long start = peaks.heapPeakBytes();

        byte[] block = new byte[(int) BLOCK];
        Arrays.fill(block, (byte) 1);
        long peak = peaks.heapPeakBytes();
        assertTrue(peak - start >= MOST, "the heap peak rose by " + (peak - start) + " bytes for a " + BLOCK
                + "-byte array");
        assertEquals(1, block[block.length - 1]);

        block = null;
        for (int gc = 0; gc < 5 && memory.getHeapMemoryUsage().getUsed() > peak - MOST; gc++) {
            System.gc(); // a full collection frees the array (G1: a humongous object)
        }
        assertTrue(peak - memory.getHeapMemoryUsage().getUsed() >= MOST,
                "the array was not collected: " + memory.getHeapMemoryUsage());
        assertTrue(peaks.heapPeakBytes() >= peak - SLACK, "the peak outlives the array that made it: "
                + peaks.heapPeakBytes() + " after it was collected, " + peak + " before");

        peaks.reset();
        long afterReset = peaks.heapPeakBytes();
        assertTrue(peak - afterReset >= MOST, "the reset brought the heap peak from " + peak + " to " + afterReset
                + " bytes");
    }

    /** Whether this process may write {@code /proc/self/clear_refs}, found by doing it (5: reset the peak only). */
    private static boolean clearRefsWritable() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }
}
