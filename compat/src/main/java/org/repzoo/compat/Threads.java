package org.repzoo.compat;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The thread count of ND4J's native side (libnd4j's own loops, OpenMP, which oneDNN uses, and the BLAS) and of
 * RepZoo's own parallel Java loops (the plane batch-norm helper), set together. Setting it here works after ND4J has
 * loaded; {@code OMP_NUM_THREADS} in the environment sets the native side from the start.
 */
public final class Threads {
    static final String KEEP_BLAS_THREADS = "repzoo.dl4jBlasThreads";
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

    /**
     * Runs the BLAS on one thread until the returned scope closes, which restores its count. A training step calls the
     * BLAS only for its dense layers, the classifier, too small to share out: on two cores a second OpenBLAS thread
     * takes time from oneDNN's OpenMP threads and RepZoo's Java threads (whole epochs of the demo's net run 1.3x
     * faster on one, docs/PERFORMANCE.md). The thread count changes the order of the BLAS's sums, so a
     * training run, and the run resuming it, take the same count every time. {@code -Drepzoo.dl4jBlasThreads=true}
     * leaves the count as it is (for side-by-side measurements).
     */
    public static BlasScope oneBlasThread() {
        if (Boolean.getBoolean(KEEP_BLAS_THREADS)) {
            return () -> { };
        }
        Blas blas = Nd4j.factory().blas();
        int previous = blas.getMaxThreads();
        blas.setMaxThreads(1);
        return () -> blas.setMaxThreads(previous);
    }

    /** A scope of {@link #oneBlasThread}; closing it restores the BLAS's thread count. */
    public interface BlasScope extends AutoCloseable {
        @Override
        void close();
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
