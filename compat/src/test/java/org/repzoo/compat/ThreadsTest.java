package org.repzoo.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.factory.Nd4j;

/** The training loop's BLAS scope: one thread inside it, the count before it restored after it. */
class ThreadsTest {
    @Test
    void oneBlasThreadInsideTheScopeAndTheCountBeforeItAfter() {
        Blas blas = Nd4j.factory().blas();
        blas.setMaxThreads(2);
        try (Threads.BlasScope scope = Threads.oneBlasThread()) {
            assertEquals(1, blas.getMaxThreads());
        }
        assertEquals(2, blas.getMaxThreads());
    }
}
