package org.repzoo.training.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class MemoryPeaksTest {

    @Test
    @EnabledOnOs(OS.LINUX)
    void residentPeakFollowsATouchedAllocationAfterAReset() {
        MemoryPeaks peaks = new MemoryPeaks();
        peaks.reset();
        assertTrue(peaks.residentPeakIsSectionPeak(), "clear_refs should be writable for the process itself");
        long before = MemoryPeaks.residentPeakBytes();
        byte[] block = new byte[64 << 20];
        for (int i = 0; i < block.length; i += 4096) {
            block[i] = 1; // touch every page, so it becomes resident
        }
        long after = MemoryPeaks.residentPeakBytes();
        assertTrue(after - before >= (48L << 20), "peak rose by " + (after - before) + " bytes for 64 MB touched");
        long resident = MemoryPeaks.residentBytes();
        assertTrue(resident <= MemoryPeaks.residentPeakBytes(), "resident memory cannot exceed its high-water mark");
        assertTrue(block[4096] == 1);
    }
}
