package org.repzoo.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Peak memory of a measured section. ND4J keeps weights and activations off the Java heap, so the figure that
 * matters is the process's resident set: Linux's high-water mark {@code VmHWM}, which writing {@code 5} to
 * {@code /proc/self/clear_refs} resets, so the peak belongs to the section and not to model loading. The Java heap's
 * peak is the sum of the heap pools' peaks (an upper bound: the pools need not peak together).
 */
public final class MemoryPeaks {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).toList();
    private boolean residentReset;

    /** Starts a section: resets both peaks (the resident one where the kernel allows it). */
    public void reset() {
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        try {
            Files.writeString(CLEAR_REFS, "5");
            residentReset = true;
        } catch (IOException | SecurityException e) {
            residentReset = false; // not Linux, or not allowed: the peak then covers the whole process lifetime
        }
    }

    /** Whether {@link #residentPeakBytes()} covers only the section (false: since the process started). */
    public boolean residentPeakIsSectionPeak() {
        return residentReset;
    }

    public long heapPeakBytes() {
        return heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }

    /** Resident memory now, in bytes, or -1 where /proc is missing. */
    public static long residentBytes() {
        return statusField("VmRSS:");
    }

    /** The resident high-water mark, in bytes, or -1 where /proc is missing. */
    public static long residentPeakBytes() {
        return statusField("VmHWM:");
    }

    private static long statusField(String field) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024; // the kernel reports kB
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
