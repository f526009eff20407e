package org.repzoo.training.parallel;

import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * Hands rounds (one shard per worker) from the training loop to ParallelWrapper's fit thread, one at a time, and tells
 * the loop when a round is averaged. The wrapper (through M2.1's {@code DummyBlockMultiDataSetIterator}) asks
 * {@code hasNext()} once more right after taking a round's last shard, before training it, and again at the top of its
 * loop, after averaging: that second call is the signal, so {@link #submitAndAwait} returns only when the graph holds
 * the round's result. {@code ParallelWrapperFitterTest} compares the graph after every batch, which would catch a
 * DL4J that asks in another order.
 */
final class RoundFeed implements MultiDataSetIterator {
    private static final MultiDataSet[] END = new MultiDataSet[0];
    private static final long POLL_MILLIS = 100;

    private final BlockingQueue<MultiDataSet[]> rounds = new ArrayBlockingQueue<>(1);
    private final Semaphore averaged = new Semaphore(0);
    // the wrapper's thread only
    private MultiDataSet[] current;
    private int position;
    private boolean inFlight;
    private int asksAfterLastShard;
    private boolean ended;

    /** The training loop's side: queue a round, then wait until it is averaged or the wrapper has failed. */
    void submitAndAwait(MultiDataSet[] shards, Future<?> wrapper) {
        try {
            while (!rounds.offer(shards, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                checkAlive(wrapper);
            }
            while (!averaged.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                checkAlive(wrapper);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the replicas trained", e);
        }
    }

    /** Ends the wrapper's fit after the current round. */
    boolean end(long timeoutMillis) throws InterruptedException {
        return rounds.offer(END, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private static void checkAlive(Future<?> wrapper) {
        if (wrapper.isDone()) {
            try {
                wrapper.get();
            } catch (Exception e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new IllegalStateException("a replica failed: " + cause.getMessage(), cause);
            }
            throw new IllegalStateException("ParallelWrapper stopped before the round was trained");
        }
    }

    @Override
    public boolean hasNext() {
        if (current != null && position < current.length) {
            return true;
        }
        if (ended) {
            return false;
        }
        if (inFlight && ++asksAfterLastShard == 1) {
            return true; // asked while collecting the round: it stops at the round's size without calling next()
        }
        if (inFlight) { // back at the top of its loop: the round is trained and averaged
            inFlight = false;
            averaged.release();
        }
        try {
            current = rounds.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = true;
            return false;
        }
        position = 0;
        if (current == END) {
            ended = true;
            current = null;
            return false;
        }
        inFlight = true;
        asksAfterLastShard = 0;
        return true;
    }

    @Override
    public MultiDataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return current[position++];
    }

    @Override
    public MultiDataSet next(int num) {
        throw new UnsupportedOperationException("one shard at a time");
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
        throw new UnsupportedOperationException("batches arrive prepared");
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
        return null;
    }

    @Override
    public boolean resetSupported() {
        return false;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public void reset() {
        throw new UnsupportedOperationException("a feed is read once");
    }
}
