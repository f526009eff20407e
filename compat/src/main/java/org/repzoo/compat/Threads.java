package org.repzoo.compat;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The thread count of ND4J's native side (libnd4j's own loops, OpenMP, which oneDNN uses, and the BLAS) and of
 * RepZoo's own parallel Java loops (the plane batch-norm helper), set together. Setting it here works after ND4J has
 * loaded; {@code OMP_NUM_THREADS} in the environment sets the native side from the start.
 */
public final class Threads {
    private static volatile ForkJoinPool pool = new ForkJoinPool(Runtime.getRuntime().availableProcessors());

    private Threads() {
    }

    /** Runs ND4J and RepZoo's Java loops on {@code threads} threads from now on. */
    public static synchronized void set(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("the thread count must be at least 1, got " + threads);
        }
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        if (pool.getParallelism() != threads) {
            ForkJoinPool previous = pool;
            pool = new ForkJoinPool(threads);
            previous.shutdown(); // loops already running on it finish there
        }
    }

    /** The thread count ND4J's native side runs with now. */
    public static int current() {
        return Nd4j.getEnvironment().maxThreads();
    }

    /** Runs {@code body} for 0 .. count-1 on RepZoo's Java threads, and returns when every call has. */
    static void forEach(int count, IntConsumer body) {
        pool.submit(() -> IntStream.range(0, count).parallel().forEach(body)).join();
    }
}
