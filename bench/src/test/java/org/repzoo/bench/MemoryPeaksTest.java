package org.repzoo.bench;

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
        // Off-heap: fresh pages from the OS (a heap array may reuse pages an earlier test already made resident)
        java.nio.ByteBuffer block = java.nio.ByteBuffer.allocateDirect(64 << 20);
        for (int i = 0; i < block.capacity(); i += 4096) {
            block.put(i, (byte) 1); // touch every page, so it becomes resident
        }
        long after = MemoryPeaks.residentPeakBytes();
        assertTrue(after - before >= (48L << 20), "peak rose by " + (after - before) + " bytes for 64 MB touched");
        long resident = MemoryPeaks.residentBytes();
        assertTrue(resident <= MemoryPeaks.residentPeakBytes(), "resident memory cannot exceed its high-water mark");
        assertTrue(block.get(4096) == 1);
    }
}
