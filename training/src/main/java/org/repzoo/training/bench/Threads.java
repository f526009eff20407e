package org.repzoo.training.bench;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Thread count of ND4J's native side: libnd4j's own loops, OpenMP (which oneDNN uses) and the BLAS. Setting it here
 * works after ND4J has loaded; {@code OMP_NUM_THREADS} in the environment does the same from the start.
 */
public final class Threads {

    private Threads() {
    }

    public static void set(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    /** The thread count ND4J's native side runs with now. */
    public static int current() {
        return Nd4j.getEnvironment().maxThreads();
    }
}
