package org.repzoo.evaluation.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The worker pipeline: input order kept, at most {@code window} items in flight, worker failures rethrown. */
class PrefetcherTest {

    @Test
    void deliversInOrderWithABoundedWindow() throws Exception {
        List<Integer> inputs = IntStream.range(0, 60).boxed().toList();
        AtomicInteger consumed = new AtomicInteger();
        AtomicInteger maxAhead = new AtomicInteger();
        List<Integer> seen = new ArrayList<>();
        try (Prefetcher<Integer, Integer> prefetcher = new Prefetcher<>(inputs, i -> {
            // Item i may start once items 0 .. i - window have been handed over.
            maxAhead.accumulateAndGet(i - consumed.get(), Math::max);
            try {
                Thread.sleep((i * 7) % 5); // uneven work: later items often finish first
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return i * i;
        }, 3, 4)) {
            Integer item;
            while ((item = prefetcher.next()) != null) {
                seen.add(item);
                consumed.incrementAndGet();
            }
            assertNull(prefetcher.next());
        }
        assertEquals(inputs.stream().map(i -> i * i).toList(), seen);
        assertTrue(maxAhead.get() <= 4, "at most the window is prepared ahead: " + maxAhead.get());
    }

    @Test
    void workerFailuresReachTheConsumerInOrder() throws Exception {
        try (Prefetcher<Integer, Integer> prefetcher = new Prefetcher<>(List.of(0, 1, 2), i -> {
            if (i == 1) {
                throw new IllegalStateException("broken " + i);
            }
            return i;
        }, 2, 2)) {
            assertEquals(0, prefetcher.next());
            assertEquals("broken 1", assertThrows(IllegalStateException.class, prefetcher::next).getMessage());
        }
    }
}
