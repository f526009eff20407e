package org.repzoo.evaluation.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Runs {@code prepare} on worker threads ahead of the consumer and hands the results over in input order.
 *
 * <p>At most {@code window} items are taken and not yet consumed: a worker takes a permit before it takes the next
 * index and the consumer gives it back when it takes the item, so memory is bounded by the window whatever the
 * input size, and a slow item cannot make the others pile up. Items are handed over in order, so batches (and thus
 * results) do not depend on thread timing. {@link #waitNanos()} is the time the consumer spent waiting: the
 * pipeline's overhead on the model thread.
 */
final class Prefetcher<S, T> implements AutoCloseable {

    private final List<S> inputs;
    private final Function<S, T> prepare;
    private final Semaphore permits;
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final Map<Integer, Object> ready = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Thread[] workers;
    private int expected;
    private long waitNanos;
    private volatile boolean closed;

    /** Wraps an exception thrown by {@code prepare}, to rethrow it on the consumer's thread. */
    private record Failure(RuntimeException error) {
    }

    Prefetcher(List<S> inputs, Function<S, T> prepare, int workerCount, int window) {
        if (workerCount < 1 || window < 1) {
            throw new IllegalArgumentException("need at least one worker and a window of one, got " + workerCount
                    + " and " + window);
        }
        this.inputs = List.copyOf(inputs);
        this.prepare = prepare;
        this.permits = new Semaphore(window);
        this.workers = new Thread[workerCount];
        for (int i = 0; i < workerCount; i++) {
            workers[i] = new Thread(this::work, "repzoo-eval-worker-" + i);
            workers[i].setDaemon(true);
            workers[i].start();
        }
    }

    private void work() {
        try {
            while (!closed) {
                permits.acquire();
                int index = nextIndex.getAndIncrement();
                if (index >= inputs.size() || closed) {
                    permits.release();
                    return;
                }
                Object result;
                try {
                    result = prepare.apply(inputs.get(index));
                } catch (RuntimeException e) {
                    result = new Failure(e);
                }
                lock.lock();
                try {
                    ready.put(index, result);
                    arrived.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The next item in input order, waiting for it if needed; null after the last. */
    @SuppressWarnings("unchecked")
    T next() throws InterruptedException {
        if (expected >= inputs.size()) {
            return null;
        }
        long start = System.nanoTime();
        Object item;
        lock.lock();
        try {
            while (!ready.containsKey(expected)) {
                arrived.await();
            }
            item = ready.remove(expected);
        } finally {
            lock.unlock();
        }
        waitNanos += System.nanoTime() - start;
        expected++;
        permits.release();
        if (item instanceof Failure failure) {
            throw failure.error();
        }
        return (T) item;
    }

    long waitNanos() {
        return waitNanos;
    }

    @Override
    public void close() {
        closed = true;
        // Wake workers blocked on a permit so that they see the flag and end.
        permits.release(workers.length);
        for (Thread worker : workers) {
            worker.interrupt();
        }
    }
}
